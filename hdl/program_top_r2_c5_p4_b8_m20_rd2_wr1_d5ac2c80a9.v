// =================================================================================================
// program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9
//   block       program_top (pycodesign.rtl.ProgramTop): Write-verify controller, wordline/bitline
//               decoders, target memory and window comparators.
//   parameters  rows=2, cols=5, partitions=4, bits=8, windows=[[[38, 42], [58, 62], [78, 82], [98,
//               102], [118, 122], [138, 142], [158, 162], [178, 182], [198, 202], [218, 222], [48,
//               52], [68, 72], [88, 92], [108, 112], [128, 132], [148, 152], [168, 172], [188,
//               192], [208, 212], [228, 232]], [[28, 32], [48, 52], [68, 72], [88, 92], [108, 112],
//               [128, 132], [148, 152], [168, 172], [188, 192], [208, 212], [38, 42], [58, 62],
//               [78, 82], [98, 102], [118, 122], [138, 142], [158, 162], [178, 182], [198, 202],
//               [218, 222]]], max_pulses=20, read_cycles=2, write_cycles=1
//   clocking    clk, rising edge; rst synchronous, active high
//   submodules  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__col_decoder,
//               program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__controller,
//               program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__controller__sequencer,
//               program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__row_decoder,
//               program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__targets,
//               program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p0,
//               program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p1,
//               program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p2,
//               program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p3 (in this file)
//   generated   by pycodesign 0.1.0 with Amaranth 0.5.10; do not edit, regenerate with:
//     pycodesign hdl hdl/config.yaml --out hdl   (in the folder that holds hdl/)
//
// Ports (bit 0 is the LSB; multi-element ports are packed, element i at the i-th slice)
// port        dir     width  meaning; timing
// ----------  ------  -----  ----------------------------------------------------------------------
// clk         input       1  Clock. Timing: Every register changes at the rising edge; inputs are
//                            sampled there.
// rst         input       1  Reset, synchronous, active high: every register returns to its reset
//                            value. Timing: Sampled at a rising edge, like any other input.
// start       input       1  Program the whole array; ignored while busy. Timing: Sampled at a
//                            rising edge while idle; busy rises in the next cycle.
// code        input      32  Read-ADC code of partition p at bits [p*bits, (p+1)*bits), unsigned.
//                            Timing: Sampled at the rising edge that ends a cycle with adc_sample
//                            high (the last of 2 read cycles).
// row         output      1  Row (wordline) of the position being programmed. Timing: Registered;
//                            stable through the read and write phases of a position.
// col         output      3  Column inside every partition of the position being programmed.
//                            Timing: Registered, with row.
// wl          output      2  Wordline select: one-hot on row while busy, all zero otherwise.
//                            Timing: Combinational from row and busy (decoder).
// bl          output      5  Bitline select inside every partition: one-hot on col while busy.
//                            Timing: Combinational from col and busy (decoder).
// read_en     output      1  Read phase: V_READ on the selected wordline, the selected bitlines
//                            sensed. Timing: High for 2 cycle(s) per verify read.
// adc_sample  output      1  Last cycle of a read phase: the read ADCs convert and present code.
//                            Timing: High on the last read cycle; the earlier ones let the bitline
//                            settle.
// set_en      output      4  SET pulse (raise conductance) on the selected cell of partition p (bit
//                            p). Timing: High for 1 cycle(s); never in the same cycle as reset_en.
// reset_en    output      4  RESET pulse (lower conductance) on the selected cell of partition p.
//                            Timing: High for 1 cycle(s); a mixed SET/RESET phase is split, SET
//                            first.
// busy        output      1  Programming in progress. Timing: Rises the cycle after start; falls
//                            with done.
// done        output      1  Programming finished. Timing: High from the end of the last position
//                            until the next start.
// fail_count  output      6  Cells left outside their window after 20 pulses, as the controller
//                            counts them. Timing: Registered; cleared by start, valid when done is
//                            high.
// =================================================================================================
/* Generated by Amaranth Yosys 0.50 (PyPI ver 0.50.0.0.post130, git sha1 b5170e139) */

(* top =  1  *)
(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9(code, clk, rst, row, col, wl, bl, read_en, adc_sample, set_en, reset_en, busy, done, fail_count, start);
  reg _comb_init_1_ = 0;
  wire _00_;
  wire _01_;
  wire _02_;
  wire [1:0] _03_;
  wire _04_;
  wire _05_;
  wire [1:0] _06_;
  reg _07_;
  reg _08_;
  reg _09_;
  reg _10_;
  wire _11_;
  wire [63:0] _12_;
  wire _13_;
  wire _14_;
  wire _15_;
  wire _16_;
  wire _17_;
  wire _18_;
  wire _19_;
  wire [3:0] above;
  wire _above_38_;
  wire _above_43_;
  wire _above_48_;
  wire _above_53_;
  output adc_sample;
  wire adc_sample;
  wire addr;
  wire [2:0] _addr_24_;
  reg armed = 1'h0;
  wire [3:0] below;
  wire _below_36_;
  wire _below_42_;
  wire _below_47_;
  wire _below_52_;
  output [4:0] bl;
  wire [4:0] bl;
  output busy;
  wire busy;
  wire _busy_22_;
  input clk;
  wire clk;
  input [31:0] code;
  wire [31:0] code;
  wire [7:0] _code_30_;
  wire [7:0] _code_39_;
  wire [7:0] _code_44_;
  wire [7:0] _code_49_;
  output [2:0] col;
  wire [2:0] col;
  wire [2:0] _col_17_;
  wire [2:0] _col_19_;
  output done;
  wire done;
  wire _done_28_;
  wire en;
  wire _en_25_;
  output [5:0] fail_count;
  wire [5:0] fail_count;
  wire [5:0] _fail_count_29_;
  wire [7:0] hi;
  wire [31:0] _hi_34_;
  wire [7:0] _hi_41_;
  wire [7:0] _hi_46_;
  wire [7:0] _hi_51_;
  wire [7:0] lo;
  wire [31:0] _lo_32_;
  wire [7:0] _lo_40_;
  wire [7:0] _lo_45_;
  wire [7:0] _lo_50_;
  wire mixed;
  wire [1:0] onehot;
  wire [4:0] _onehot_26_;
  reg read_count = 1'h0;
  output read_en;
  wire read_en;
  wire _read_en_27_;
  output [3:0] reset_en;
  wire [3:0] reset_en;
  wire [3:0] _reset_en_58_;
  output row;
  wire row;
  wire _row_16_;
  wire _row_18_;
  input rst;
  wire rst;
  output [3:0] set_en;
  wire [3:0] set_en;
  wire [3:0] _set_en_57_;
  reg set_half_done = 1'h0;
  reg split_cycle = 1'h0;
  wire stall;
  input start;
  wire start;
  wire _start_15_;
  output [1:0] wl;
  wire [1:0] wl;
  assign adc_sample = read_en & _00_;
  assign _11_ = | _set_en_57_;
  assign _13_ = armed & _11_;
  assign _14_ = | _reset_en_58_;
  assign mixed = _13_ & _14_;
  assign _15_ = ~ set_half_done;
  assign stall = mixed & _15_;
  assign _16_ = mixed & set_half_done;
  assign set_en = _16_ ? 4'h0 : _set_en_57_;
  assign _17_ = ~ set_half_done;
  assign _18_ = mixed & _17_;
  assign reset_en = _18_ ? 4'h0 : _reset_en_58_;
  assign _01_ = ~ _19_;
  assign _02_ = read_en & _01_;
  assign _03_ = read_count + 1'h1;
  assign _04_ = ~ mixed;
  assign _05_ = ! split_cycle;
  assign _06_ = split_cycle + 1'h1;
  always @(posedge clk)
    read_count <= _07_;
  always @(posedge clk)
    armed <= _08_;
  always @(posedge clk)
    split_cycle <= _09_;
  always @(posedge clk)
    set_half_done <= _10_;
  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__col_decoder col_decoder (
    .addr(col),
    .en(busy),
    .onehot(bl)
  );
  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__controller controller (
    .above(above),
    .below(below),
    .busy(busy),
    .clk(clk),
    .col(col),
    .done(done),
    .fail_count(fail_count),
    .read_en(read_en),
    .reset_en(_reset_en_58_),
    .row(row),
    .rst(rst),
    .set_en(_set_en_57_),
    .stall(stall),
    .start(start)
  );
  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__row_decoder row_decoder (
    .addr(row),
    .en(busy),
    .onehot(wl)
  );
  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__targets targets (
    .col(col),
    .row(row),
    .word(_12_)
  );
  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p0 window_p0 (
    .above(_above_38_),
    .below(_below_36_),
    .code(code[7:0]),
    .hi(_12_[39:32]),
    .lo(_12_[7:0])
  );
  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p1 window_p1 (
    .above(_above_43_),
    .below(_below_42_),
    .code(code[15:8]),
    .hi(_12_[47:40]),
    .lo(_12_[15:8])
  );
  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p2 window_p2 (
    .above(_above_48_),
    .below(_below_47_),
    .code(code[23:16]),
    .hi(_12_[55:48]),
    .lo(_12_[23:16])
  );
  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p3 window_p3 (
    .above(_above_53_),
    .below(_below_52_),
    .code(code[31:24]),
    .hi(_12_[63:56]),
    .lo(_12_[31:24])
  );
  always @* begin
    if (_comb_init_1_) begin end
    (* full_case = 32'd1 *)
    if (_02_) begin
      _07_ = _03_[0];
    end else begin
      _07_ = 1'h0;
    end
    if (rst) begin
      _07_ = 1'h0;
    end
  end
  always @* begin
    if (_comb_init_1_) begin end
    _08_ = armed;
    if (start) begin
      _08_ = 1'h1;
    end
    if (rst) begin
      _08_ = 1'h0;
    end
  end
  always @* begin
    if (_comb_init_1_) begin end
    _09_ = split_cycle;
    if (stall) begin
      (* full_case = 32'd1 *)
      if (_05_) begin
        _09_ = 1'h0;
      end else begin
        _09_ = _06_[0];
      end
    end
    if (rst) begin
      _09_ = 1'h0;
    end
  end
  always @* begin
    if (_comb_init_1_) begin end
    _10_ = set_half_done;
    if (stall) begin
      if (_05_) begin
        _10_ = 1'h1;
      end
    end else if (_04_) begin
      _10_ = 1'h0;
    end
    if (rst) begin
      _10_ = 1'h0;
    end
  end
  assign _start_15_ = start;
  assign _row_16_ = row;
  assign _col_17_ = col;
  assign _row_18_ = row;
  assign _col_19_ = col;
  assign addr = row;
  assign en = busy;
  assign _busy_22_ = busy;
  assign onehot = wl;
  assign _addr_24_ = col;
  assign _en_25_ = busy;
  assign _onehot_26_ = bl;
  assign _read_en_27_ = read_en;
  assign _done_28_ = done;
  assign _fail_count_29_ = fail_count;
  assign _code_30_ = code[7:0];
  assign lo = _12_[7:0];
  assign _lo_32_ = _12_[31:0];
  assign hi = _12_[39:32];
  assign _hi_34_ = _12_[63:32];
  assign _code_39_ = code[15:8];
  assign _lo_40_ = _12_[15:8];
  assign _hi_41_ = _12_[47:40];
  assign _code_44_ = code[23:16];
  assign _lo_45_ = _12_[23:16];
  assign _hi_46_ = _12_[55:48];
  assign _code_49_ = code[31:24];
  assign _lo_50_ = _12_[31:24];
  assign _hi_51_ = _12_[63:56];
  assign above[3] = _above_53_;
  assign above[2] = _above_48_;
  assign above[1] = _above_43_;
  assign above[0] = _above_38_;
  assign below[3] = _below_52_;
  assign below[2] = _below_47_;
  assign below[1] = _below_42_;
  assign below[0] = _below_36_;
  assign _00_ = read_count;
  assign _19_ = read_count;
endmodule

(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__col_decoder(addr, onehot, en);
  reg _comb_init_2_ = 0;
  wire _0_;
  wire _1_;
  wire _2_;
  wire _3_;
  wire _4_;
  input [2:0] addr;
  wire [2:0] addr;
  input en;
  wire en;
  output [4:0] onehot;
  reg [4:0] onehot;
  assign _4_ = addr == 3'h4;
  assign _0_ = ! addr;
  assign _1_ = addr == 1'h1;
  assign _2_ = addr == 2'h2;
  assign _3_ = addr == 2'h3;
  always @* begin
    if (_comb_init_2_) begin end
    onehot = 5'h00;
    if (en) begin
      onehot[0] = _0_;
      onehot[1] = _1_;
      onehot[2] = _2_;
      onehot[3] = _3_;
      onehot[4] = _4_;
    end
  end
endmodule

(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__controller(clk, rst, stall, below, above, busy, read_en, set_en, reset_en, done, fail_count, row, col, start);
  reg _comb_init_3_ = 0;
  wire [3:0] _00_;
  wire _01_;
  wire _02_;
  wire _03_;
  wire _04_;
  wire _05_;
  wire _06_;
  wire _07_;
  wire _08_;
  wire [3:0] _09_;
  wire [3:0] _10_;
  wire [3:0] _11_;
  wire [3:0] _12_;
  wire [3:0] _13_;
  wire [3:0] _14_;
  wire [3:0] _15_;
  wire [3:0] _16_;
  wire [3:0] _17_;
  wire [5:0] _18_;
  wire [1:0] _19_;
  wire _20_;
  wire [1:0] _21_;
  wire [3:0] _22_;
  reg _23_;
  reg [5:0] _24_;
  reg [3:0] _25_;
  reg [4:0] _26_;
  reg _27_;
  reg [1:0] _28_;
  reg [3:0] _29_;
  reg [3:0] _30_;
  wire [6:0] _31_;
  wire [6:0] _32_;
  wire [6:0] _33_;
  wire [6:0] _34_;
  wire _35_;
  wire _36_;
  input [3:0] above;
  wire [3:0] above;
  reg [3:0] acknowledged = 4'h0;
  reg advance;
  input [3:0] below;
  wire [3:0] below;
  output busy;
  reg busy;
  input clk;
  wire clk;
  output [2:0] col;
  wire [2:0] col;
  wire [2:0] _col_3_;
  output done;
  reg done = 1'h0;
  output [5:0] fail_count;
  reg [5:0] fail_count = 6'h00;
  wire [5:0] fail_count_p0;
  wire [5:0] fail_count_p1;
  wire [5:0] fail_count_p2;
  wire [5:0] fail_count_p3;
  wire last;
  wire [3:0] now_acknowledged;
  reg phase_cycle = 1'h0;
  output read_en;
  reg read_en;
  output [3:0] reset_en;
  reg [3:0] reset_en;
  reg [3:0] reset_mask = 4'h0;
  reg restart;
  output row;
  wire row;
  wire _row_1_;
  input rst;
  wire rst;
  output [3:0] set_en;
  reg [3:0] set_en;
  reg [3:0] set_mask = 4'h0;
  input stall;
  wire stall;
  input start;
  wire start;
  reg [4:0] write_phases = 5'h00;
  reg [1:0] wv_state_state = 2'h0;
  assign _00_ = ~ below;
  assign _11_ = ~ above;
  assign _22_ = _00_ & _11_;
  assign now_acknowledged = acknowledged | _22_;
  assign _31_ = fail_count + 1'h1;
  assign fail_count_p0 = now_acknowledged[0] ? fail_count : _31_[5:0];
  assign _32_ = fail_count_p0 + 1'h1;
  assign fail_count_p1 = now_acknowledged[1] ? fail_count_p0 : _32_[5:0];
  assign _33_ = fail_count_p1 + 1'h1;
  assign fail_count_p2 = now_acknowledged[2] ? fail_count_p1 : _33_[5:0];
  assign _34_ = fail_count_p2 + 1'h1;
  assign fail_count_p3 = now_acknowledged[3] ? fail_count_p2 : _34_[5:0];
  assign _36_ = & now_acknowledged;
  assign _01_ = write_phases == 5'h14;
  assign _02_ = ! wv_state_state;
  assign _03_ = wv_state_state == 1'h1;
  assign _04_ = wv_state_state == 2'h2;
  assign _05_ = ~ stall;
  assign _07_ = & now_acknowledged;
  assign _08_ = write_phases == 5'h14;
  assign _09_ = ~ above;
  assign _10_ = below & _09_;
  assign _12_ = ~ now_acknowledged;
  assign _13_ = _10_ & _12_;
  assign _14_ = ~ below;
  assign _15_ = above & _14_;
  assign _16_ = ~ now_acknowledged;
  assign _17_ = _15_ & _16_;
  assign _18_ = write_phases + 1'h1;
  assign _19_ = phase_cycle + 1'h1;
  assign _20_ = ! phase_cycle;
  assign _21_ = phase_cycle + 1'h1;
  always @(posedge clk)
    done <= _23_;
  always @(posedge clk)
    fail_count <= _24_;
  always @(posedge clk)
    acknowledged <= _25_;
  always @(posedge clk)
    write_phases <= _26_;
  always @(posedge clk)
    phase_cycle <= _27_;
  always @(posedge clk)
    wv_state_state <= _28_;
  always @(posedge clk)
    set_mask <= _29_;
  always @(posedge clk)
    reset_mask <= _30_;
  program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__controller__sequencer sequencer (
    .advance(advance),
    .clk(clk),
    .col(col),
    .last(last),
    .restart(restart),
    .row(row),
    .rst(rst),
    .stall(stall)
  );
  always @* begin
    if (_comb_init_3_) begin end
    restart = 1'h0;
    casez (wv_state_state)
      2'h0:
          if (start) begin
            restart = 1'h1;
          end
    endcase
  end
  always @* begin
    if (_comb_init_3_) begin end
    busy = 1'h0;
    casez (wv_state_state)
      2'h0:
          /* empty */;
      2'h1:
          busy = 1'h1;
      2'h2:
          busy = 1'h1;
    endcase
  end
  always @* begin
    if (_comb_init_3_) begin end
    read_en = 1'h0;
    casez (wv_state_state)
      2'h0:
          /* empty */;
      2'h1:
          read_en = 1'h1;
    endcase
  end
  always @* begin
    if (_comb_init_3_) begin end
    advance = 1'h0;
    casez (wv_state_state)
      2'h0:
          /* empty */;
      2'h1:
          if (_35_) begin
            if (_36_) begin
              advance = 1'h1;
            end else if (_01_) begin
              advance = 1'h1;
            end
          end
    endcase
  end
  always @* begin
    if (_comb_init_3_) begin end
    set_en = 4'h0;
    casez (wv_state_state)
      2'h0:
          /* empty */;
      2'h1:
          /* empty */;
      2'h2:
          set_en = set_mask;
    endcase
  end
  always @* begin
    if (_comb_init_3_) begin end
    reset_en = 4'h0;
    casez (wv_state_state)
      2'h0:
          /* empty */;
      2'h1:
          /* empty */;
      2'h2:
          reset_en = reset_mask;
    endcase
  end
  always @* begin
    if (_comb_init_3_) begin end
    _23_ = done;
    if (_05_) begin
      casez (wv_state_state)
        2'h0:
            if (start) begin
              _23_ = 1'h0;
            end
        2'h1:
            if (_06_) begin
              if (_07_) begin
                if (last) begin
                  _23_ = 1'h1;
                end
              end else if (_08_) begin
                if (last) begin
                  _23_ = 1'h1;
                end
              end
            end
      endcase
    end
    if (rst) begin
      _23_ = 1'h0;
    end
  end
  always @* begin
    if (_comb_init_3_) begin end
    _24_ = fail_count;
    if (_05_) begin
      casez (wv_state_state)
        2'h0:
            if (start) begin
              _24_ = 6'h00;
            end
        2'h1:
            if (_06_) begin
              if (_07_) begin
              end else if (_08_) begin
                _24_ = fail_count_p3;
              end
            end
      endcase
    end
    if (rst) begin
      _24_ = 6'h00;
    end
  end
  always @* begin
    if (_comb_init_3_) begin end
    _25_ = acknowledged;
    if (_05_) begin
      casez (wv_state_state)
        2'h0:
            if (start) begin
              _25_ = 4'h0;
            end
        2'h1:
            if (_06_) begin
              (* full_case = 32'd1 *)
              if (_07_) begin
                _25_ = 4'h0;
              end else if (_08_) begin
                _25_ = 4'h0;
              end else begin
                _25_ = now_acknowledged;
              end
            end
      endcase
    end
    if (rst) begin
      _25_ = 4'h0;
    end
  end
  always @* begin
    if (_comb_init_3_) begin end
    _26_ = write_phases;
    if (_05_) begin
      casez (wv_state_state)
        2'h0:
            if (start) begin
              _26_ = 5'h00;
            end
        2'h1:
            if (_06_) begin
              (* full_case = 32'd1 *)
              if (_07_) begin
                _26_ = 5'h00;
              end else if (_08_) begin
                _26_ = 5'h00;
              end else begin
                _26_ = _18_[4:0];
              end
            end
      endcase
    end
    if (rst) begin
      _26_ = 5'h00;
    end
  end
  always @* begin
    if (_comb_init_3_) begin end
    _27_ = phase_cycle;
    if (_05_) begin
      casez (wv_state_state)
        2'h0:
            if (start) begin
              _27_ = 1'h0;
            end
        2'h1:
            (* full_case = 32'd1 *)
            if (_06_) begin
              _27_ = 1'h0;
              if (_07_) begin
                _27_ = 1'h0;
              end else if (_08_) begin
                _27_ = 1'h0;
              end
            end else begin
              _27_ = _19_[0];
            end
        2'h2:
            (* full_case = 32'd1 *)
            if (_20_) begin
              _27_ = 1'h0;
            end else begin
              _27_ = _21_[0];
            end
      endcase
    end
    if (rst) begin
      _27_ = 1'h0;
    end
  end
  always @* begin
    if (_comb_init_3_) begin end
    _28_ = wv_state_state;
    if (_05_) begin
      casez (wv_state_state)
        2'h0:
            if (start) begin
              _28_ = 2'h1;
            end
        2'h1:
            if (_06_) begin
              (* full_case = 32'd1 *)
              if (_07_) begin
                (* full_case = 32'd1 *)
                if (last) begin
                  _28_ = 2'h0;
                end else begin
                  _28_ = 2'h1;
                end
              end else if (_08_) begin
                (* full_case = 32'd1 *)
                if (last) begin
                  _28_ = 2'h0;
                end else begin
                  _28_ = 2'h1;
                end
              end else begin
                _28_ = 2'h2;
              end
            end
        2'h2:
            if (_20_) begin
              _28_ = 2'h1;
            end
      endcase
    end
    if (rst) begin
      _28_ = 2'h0;
    end
  end
  always @* begin
    if (_comb_init_3_) begin end
    _29_ = set_mask;
    if (_05_) begin
      casez (wv_state_state)
        2'h0:
            /* empty */;
        2'h1:
            if (_06_) begin
              (* full_case = 32'd1 *)
              if (_07_) begin
              end else if (_08_) begin
              end else begin
                _29_ = _13_;
              end
            end
      endcase
    end
    if (rst) begin
      _29_ = 4'h0;
    end
  end
  always @* begin
    if (_comb_init_3_) begin end
    _30_ = reset_mask;
    if (_05_) begin
      casez (wv_state_state)
        2'h0:
            /* empty */;
        2'h1:
            if (_06_) begin
              (* full_case = 32'd1 *)
              if (_07_) begin
              end else if (_08_) begin
              end else begin
                _30_ = _17_;
              end
            end
      endcase
    end
    if (rst) begin
      _30_ = 4'h0;
    end
  end
  assign _row_1_ = row;
  assign _col_3_ = col;
  assign _35_ = phase_cycle;
  assign _06_ = phase_cycle;
endmodule

(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__controller__sequencer(rst, stall, last, restart, advance, row, col, clk);
  reg _comb_init_4_ = 0;
  wire _00_;
  wire [3:0] _01_;
  reg _02_;
  reg [2:0] _03_;
  reg _04_;
  wire _05_;
  wire _06_;
  wire _07_;
  wire _08_;
  wire _09_;
  wire _10_;
  wire _11_;
  wire [1:0] _12_;
  input advance;
  wire advance;
  input clk;
  wire clk;
  output [2:0] col;
  reg [2:0] col = 3'h0;
  reg done = 1'h0;
  output last;
  wire last;
  input restart;
  wire restart;
  output row;
  reg row = 1'h0;
  input rst;
  wire rst;
  input stall;
  wire stall;
  assign _05_ = col == 3'h4;
  assign _06_ = _00_ & _05_;
  assign _07_ = ~ done;
  assign last = _06_ & _07_;
  assign _08_ = ~ stall;
  assign _09_ = ~ done;
  assign _10_ = advance & _09_;
  assign _11_ = col == 3'h4;
  assign _12_ = row + 1'h1;
  assign _01_ = col + 1'h1;
  always @(posedge clk)
    row <= _02_;
  always @(posedge clk)
    col <= _03_;
  always @(posedge clk)
    done <= _04_;
  always @* begin
    if (_comb_init_4_) begin end
    _02_ = row;
    if (_08_) begin
      if (restart) begin
        _02_ = 1'h0;
      end else if (_10_) begin
        if (last) begin
        end else if (_11_) begin
          _02_ = _12_[0];
        end
      end
    end
    if (rst) begin
      _02_ = 1'h0;
    end
  end
  always @* begin
    if (_comb_init_4_) begin end
    _03_ = col;
    if (_08_) begin
      if (restart) begin
        _03_ = 3'h0;
      end else if (_10_) begin
        (* full_case = 32'd1 *)
        if (last) begin
        end else if (_11_) begin
          _03_ = 3'h0;
        end else begin
          _03_ = _01_[2:0];
        end
      end
    end
    if (rst) begin
      _03_ = 3'h0;
    end
  end
  always @* begin
    if (_comb_init_4_) begin end
    _04_ = done;
    if (_08_) begin
      if (restart) begin
        _04_ = 1'h0;
      end else if (_10_) begin
        if (last) begin
          _04_ = 1'h1;
        end
      end
    end
    if (rst) begin
      _04_ = 1'h0;
    end
  end
  assign _00_ = row;
endmodule

(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__row_decoder(addr, onehot, en);
  reg _comb_init_5_ = 0;
  wire _0_;
  wire _1_;
  input addr;
  wire addr;
  input en;
  wire en;
  output [1:0] onehot;
  reg [1:0] onehot;
  assign _0_ = ! addr;
  always @* begin
    if (_comb_init_5_) begin end
    onehot = 2'h0;
    if (en) begin
      onehot[0] = _0_;
      onehot[1] = _1_;
    end
  end
  assign _1_ = addr;
endmodule

(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__targets(row, col, word);
  wire [63:0] _00_;
  wire [63:0] _01_;
  wire [63:0] _02_;
  wire [63:0] _03_;
  wire [63:0] _04_;
  wire [63:0] _05_;
  wire [63:0] _06_;
  wire [63:0] _07_;
  wire [63:0] _08_;
  wire [63:0] _09_;
  wire [63:0] _10_;
  wire [63:0] _11_;
  input [2:0] col;
  wire [2:0] col;
  wire [31:0] hi;
  wire [31:0] lo;
  input row;
  wire row;
  output [63:0] word;
  wire [63:0] word;
  assign _00_ = col[0] ? 64'h0000000000000000 : 64'hde7ad470da76d06c;
  assign _04_ = col[1] ? 64'h0000000000000000 : _00_;
  assign _05_ = col[0] ? 64'hca66c05cc662bc58 : 64'hb652ac48b24ea844;
  assign _06_ = col[0] ? 64'ha23e98349e3a9430 : 64'h8e2a84208a26801c;
  assign _07_ = col[1] ? _05_ : _06_;
  assign _08_ = col[2] ? _04_ : _07_;
  assign _09_ = col[0] ? 64'h0000000000000000 : 64'he884de7ae480da76;
  assign _10_ = col[1] ? 64'h0000000000000000 : _09_;
  assign _11_ = col[0] ? 64'hd470ca66d06cc662 : 64'hc05cb652bc58b24e;
  assign _01_ = col[0] ? 64'hac48a23ea8449e3a : 64'h98348e2a94308a26;
  assign _02_ = col[1] ? _11_ : _01_;
  assign _03_ = col[2] ? _10_ : _02_;
  assign word = row ? _08_ : _03_;
  assign lo = word[31:0];
  assign hi = word[63:32];
endmodule

(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p0(lo, hi, below, above, code);
  output above;
  wire above;
  output below;
  wire below;
  input [7:0] code;
  wire [7:0] code;
  input [7:0] hi;
  wire [7:0] hi;
  input [7:0] lo;
  wire [7:0] lo;
  assign below = code < lo;
  assign above = code > hi;
endmodule

(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p1(lo, hi, below, above, code);
  output above;
  wire above;
  output below;
  wire below;
  input [7:0] code;
  wire [7:0] code;
  input [7:0] hi;
  wire [7:0] hi;
  input [7:0] lo;
  wire [7:0] lo;
  assign below = code < lo;
  assign above = code > hi;
endmodule

(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p2(lo, hi, below, above, code);
  output above;
  wire above;
  output below;
  wire below;
  input [7:0] code;
  wire [7:0] code;
  input [7:0] hi;
  wire [7:0] hi;
  input [7:0] lo;
  wire [7:0] lo;
  assign below = code < lo;
  assign above = code > hi;
endmodule

(* generator = "Amaranth" *)
module program_top_r2_c5_p4_b8_m20_rd2_wr1_d5ac2c80a9__window_p3(lo, hi, below, above, code);
  output above;
  wire above;
  output below;
  wire below;
  input [7:0] code;
  wire [7:0] code;
  input [7:0] hi;
  wire [7:0] hi;
  input [7:0] lo;
  wire [7:0] lo;
  assign below = code < lo;
  assign above = code > hi;
endmodule
