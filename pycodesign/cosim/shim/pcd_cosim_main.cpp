// Verilator builds an executable with --build --exe; the d_cosim library only
// needs the objects, but Verilator insists on a main().  Never run.
#include "ngspice/cmtypes.h"
#include "ngspice/cosim.h"

int main() {
    struct co_info info = {};
    Cosim_setup(&info);
    return 0;
}
