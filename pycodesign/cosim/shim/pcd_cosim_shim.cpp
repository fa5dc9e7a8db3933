// Shim between ngspice's XSPICE d_cosim code model and a Verilator model.
//
// Written for pycodesign from the d_cosim interface (ngspice/cosim.h) and
// following the structure of ngspice's own verilator_shim.cpp (the file its
// `vlnggen` script compiles in), with these differences:
//   * the VerilatedContext lives as long as the model (ngspice's shim frees it
//     at the end of Cosim_setup while the model keeps a pointer to it);
//   * ports of any width (ngspice's shim shifts an `int`, so ports wider than
//     31 bits lose bits); the port table comes from pcd_ports.h, written by
//     pycodesign.cosim.build from the module's port list, so no header parsing;
//   * per-instance state (ngspice's shim keeps the previous outputs in a static
//     array shared by every instance of the library);
//   * optional VCD of every RTL signal (Verilator --trace), stamped with the
//     co-simulation time, named by the model card: sim_args=["vcd:FILE"];
//     one dump per co-simulation time (the state after the last evaluation at
//     that time), closed when ngspice unloads the model or the process exits.
//
// Bit order on the d_cosim port vectors is ngspice's: ports in declaration
// order, and inside a multi-bit port the most significant bit first.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "verilated.h"
#include "Vlng.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif

#include "ngspice/cmtypes.h"  // Digital_t
#include "ngspice/cosim.h"    // struct co_info

// ---------------------------------------------------------------- bit access

template <typename T> static inline bool get_bit(const T &v, unsigned b) {
    return (static_cast<uint64_t>(v) >> b) & 1u;
}
template <std::size_t N> static inline bool get_bit(const VlWide<N> &v, unsigned b) {
    return (v[b / 32] >> (b % 32)) & 1u;
}
template <typename T> static inline void set_bit(T &v, unsigned b, bool x) {
    const uint64_t mask = uint64_t(1) << b;
    uint64_t w = static_cast<uint64_t>(v);
    w = x ? (w | mask) : (w & ~mask);
    v = static_cast<T>(w);
}
template <std::size_t N> static inline void set_bit(VlWide<N> &v, unsigned b, bool x) {
    const uint32_t mask = uint32_t(1) << (b % 32);
    v[b / 32] = x ? (v[b / 32] | mask) : (v[b / 32] & ~mask);
}

// pcd_ports.h defines PCD_INPUTS(X) and PCD_OUTPUTS(X) as lists of X(name, width).
#include "pcd_ports.h"

#define PCD_COUNT(name, width) + (width)
static const unsigned int kInputs = 0 PCD_INPUTS(PCD_COUNT);
static const unsigned int kOutputs = 0 PCD_OUTPUTS(PCD_COUNT);
#undef PCD_COUNT

struct Instance {
    std::unique_ptr<VerilatedContext> context;
    std::unique_ptr<Vlng> top;
    std::vector<unsigned char> previous;  // last value reported per output bit
#if VM_TRACE
    std::unique_ptr<VerilatedVcdC> vcd;
    double tick_s = 1e-12;                 // VCD time unit
    uint64_t dumps = 0;
    uint64_t pending_tick = 0;             // time of the last evaluation, not yet dumped
    bool pending = false;
#endif
};

// Instances still open when the process exits (ngspice's `quit` does not
// always unload code models): their VCD files are closed by the destructor below.
static std::set<Instance *> g_open;

static void close_instance(Instance *ip) {
    if (!ip) return;
#if VM_TRACE
    if (ip->vcd) {
        if (ip->pending) ip->vcd->dump(ip->pending_tick);
        ip->vcd->close();
    }
#endif
    if (ip->top) ip->top->final();
    g_open.erase(ip);
    delete ip;
}

__attribute__((destructor)) static void close_all_at_exit() {
    while (!g_open.empty()) close_instance(*g_open.begin());
}

#if VM_TRACE
// The VCD gets one dump per co-simulation time, showing the state after the
// last evaluation at that time (Verilator refuses two dumps at one time).  It
// is written when time moves on, before the first new input is applied.
static inline uint64_t tick_of(const Instance *ip, double t) {
    return static_cast<uint64_t>(std::llround(t / ip->tick_s));
}
static void flush_pending(Instance *ip, double now) {
    if (ip->vcd && ip->pending && tick_of(ip, now) > ip->pending_tick) {
        ip->vcd->dump(ip->pending_tick);
        ip->pending = false;
        if (++ip->dumps % 4096 == 0) ip->vcd->flush();
    }
}
#endif

static void accept_input(struct co_info *pinfo, unsigned int index, Digital_t *vp) {
    Instance *ip = static_cast<Instance *>(pinfo->handle);
#if VM_TRACE
    flush_pending(ip, pinfo->vtime);
#endif
    if (vp->state == UNKNOWN) return;  // Verilator is two-state: keep the old value
    const bool val = vp->state == ONE;
    Vlng *top = ip->top.get();
#define PCD_IN(name, width)                                   \
    if (index < (width)) {                                    \
        set_bit(top->name, (width) - 1 - index, val);          \
        return;                                               \
    }                                                         \
    index -= (width);
    PCD_INPUTS(PCD_IN)
#undef PCD_IN
    (void)top;  // out-of-range index: ignored, as cosim.h asks
}

static void step(struct co_info *pinfo) {
    Instance *ip = static_cast<Instance *>(pinfo->handle);
    Vlng *top = ip->top.get();
#if VM_TRACE
    flush_pending(ip, pinfo->vtime);
#endif
    top->eval();
#if VM_TRACE
    if (ip->vcd) {
        ip->pending_tick = tick_of(ip, pinfo->vtime);
        ip->pending = true;
    }
#endif
    unsigned int index = 0;
    Digital_t out = {ZERO, STRONG};
#define PCD_OUT(name, width)                                              \
    for (int b = (width) - 1; b >= 0; --b, ++index) {                     \
        const unsigned char bit = get_bit(top->name, (unsigned)b) ? 1 : 0; \
        if (bit != ip->previous[index]) {                                 \
            ip->previous[index] = bit;                                    \
            out.state = bit ? ONE : ZERO;                                 \
            (*pinfo->out_fn)(pinfo, index, &out);                         \
        }                                                                 \
    }
    PCD_OUTPUTS(PCD_OUT)
#undef PCD_OUT
}

static void cleanup(struct co_info *pinfo) {
    close_instance(static_cast<Instance *>(pinfo->handle));
    pinfo->handle = nullptr;
}

extern "C" void Cosim_setup(struct co_info *pinfo) {
    Instance *ip = new Instance;
    ip->context.reset(new VerilatedContext);
    ip->context->debug(0);
    std::string vcd_file;
    for (unsigned int i = 0; i < pinfo->sim_argc; ++i) {
        const char *arg = pinfo->sim_argv[i];
        if (arg && std::strncmp(arg, "vcd:", 4) == 0) vcd_file = arg + 4;
    }
#if VM_TRACE
    if (!vcd_file.empty()) ip->context->traceEverOn(true);
#endif
    ip->top.reset(new Vlng{ip->context.get()});
    ip->previous.assign(kOutputs, 0);
#if VM_TRACE
    if (!vcd_file.empty()) {
        ip->vcd.reset(new VerilatedVcdC);
        ip->top->trace(ip->vcd.get(), 99);
        ip->vcd->open(vcd_file.c_str());
        ip->tick_s = std::pow(10.0, ip->context->timeprecision());
    }
#else
    if (!vcd_file.empty())
        std::fprintf(stderr, "pcd_cosim_shim: vcd:%s ignored: library built without --trace\n", vcd_file.c_str());
#endif
    g_open.insert(ip);
    pinfo->handle = ip;
    pinfo->step = step;
    pinfo->in_fn = accept_input;
    pinfo->cleanup = cleanup;
    pinfo->in_count = kInputs;
    pinfo->out_count = kOutputs;
    pinfo->inout_count = 0;
    pinfo->method = After_input;  // a Verilated model only moves when an input changes
}
