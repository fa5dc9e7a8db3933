"""The golden models themselves, on cases worked out by hand from the specification."""
from __future__ import annotations

import sys

from pycodesign.rtl.models import (AddressSequencerModel, FixedVerdictCell, LevelCell, SarAdcCycle,
                                   SarAdcModel, WriteVerifyCycle, WriteVerifyModel, argmax_latency,
                                   argmax_model, decoder_model, index_width, pack, relu_lanes_model,
                                   relu_model, sar_adc_model, to_signed, unpack)


def test_models_do_not_import_amaranth():
    import subprocess

    code = "import sys, pycodesign.rtl.models; print('amaranth' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bit_helpers():
    assert [index_width(n) for n in (1, 2, 3, 4, 5, 64, 65)] == [1, 1, 2, 2, 3, 6, 7]
    assert to_signed(0b111, 3) == -1 and to_signed(0b011, 3) == 3 and to_signed(0b100, 3) == -4
    assert pack([1, -1, 2], 4) == 0x2F1
    assert unpack(0x2F1, 3, 4) == [1, 15, 2] and unpack(0x2F1, 3, 4, signed=True) == [1, -1, 2]


def test_decoder_model():
    assert decoder_model(5, 3, True) == 0b01000
    assert decoder_model(5, 3, False) == 0
    assert decoder_model(5, 5, True) == 0 and decoder_model(5, 7, True) == 0
    assert decoder_model(1, 0, True) == 1 and decoder_model(1, 1, True) == 0


def test_address_sequencer_model_walk():
    m = AddressSequencerModel(2, 2)
    seen = []
    for _ in range(6):
        seen.append(tuple(m.outputs().values()))
        m.step(restart=False, advance=True)
    # (row, col, last, done)
    assert seen == [(0, 0, 0, 0), (0, 1, 0, 0), (1, 0, 0, 0), (1, 1, 1, 0), (1, 1, 0, 1), (1, 1, 0, 1)]
    m.step(restart=True, advance=True)
    assert m.outputs() == {"row": 0, "col": 0, "last": 0, "done": 0}


def test_argmax_model():
    assert argmax_model([3, 7, 7, 1]) == (1, 7)
    assert argmax_model([5]) == (0, 5)
    assert argmax_model([-4, -1, -1, -8]) == (1, -1)
    assert argmax_model([2, 2, 2]) == (0, 2)
    assert [argmax_latency(10, k) for k in (0, 1, 2, 3, 4, 5)] == [0, 4, 2, 1, 1, 0]
    assert argmax_latency(1, 1) == 0 and argmax_latency(16, 2) == 2 and argmax_latency(5, 2) == 1


def test_relu_model():
    assert relu_model(-5, width_out=8) == 0
    assert relu_model(0, width_out=8) == 0
    assert relu_model(100, width_out=8) == 100
    assert relu_model(300, width_out=8) == 255
    assert relu_model(45, width_out=4, shift=2, limit=10) == 10  # 45 >> 2 = 11 > 10
    assert relu_model(43, width_out=4, shift=2, limit=10) == 10  # 43 >> 2 = 10
    assert relu_model(39, width_out=4, shift=2, limit=10) == 9
    assert relu_lanes_model([-1, 7, 20], width_out=4) == [0, 7, 15]


def test_write_verify_model_hand_trace():
    """1 position, 2 partitions, read 2 cycles, write 1 cycle, at most 2 pulses.

    Partition 0 is one SET pulse below its window; partition 1 is two levels
    above it and needs two RESET pulses, exactly max_pulses.
    """
    model = WriteVerifyModel(rows=1, cols=1, partitions=2, max_pulses=2, read_cycles=2, write_cycles=1)

    def cell(r, c, p):
        return LevelCell(4, 5, 5) if p == 0 else LevelCell(7, 5, 5)
    run = model.run(cell)
    R = WriteVerifyCycle(0, 0, 1, 0, 0, 1, 0, 0)
    assert run.cycles == [
        R, R,                                           # read: p0 below, p1 above
        WriteVerifyCycle(0, 0, 0, 0b01, 0b10, 1, 0, 0),  # SET p0, RESET p1
        R, R,                                           # p0 in window (acknowledged), p1 above
        WriteVerifyCycle(0, 0, 0, 0b00, 0b10, 1, 0, 0),  # RESET p1 only
        R, R,                                           # both in window
        WriteVerifyCycle(0, 0, 0, 0, 0, 0, 1, 0),        # done, no failures
    ]
    assert run.pulses == {(0, 0, 0): ["set"], (0, 0, 1): ["reset", "reset"]}
    assert run.fail_count == 0 and run.failed == []


def test_write_verify_model_gives_up_and_counts():
    model = WriteVerifyModel(rows=1, cols=2, partitions=2, max_pulses=1, read_cycles=1, write_cycles=2)

    def cell(r, c, p):
        if (c, p) == (0, 1):
            return FixedVerdictCell(True, True)   # invalid verdict: never pulsed, fails
        return LevelCell(3, 5, 5)                 # needs 2 SET pulses, only 1 allowed: fails
    run = model.run(cell)
    assert run.fail_count == 4
    assert run.failed == [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1)]
    assert run.pulses[(0, 0, 1)] == [] and run.pulses[(0, 0, 0)] == ["set"]
    # read, write x2, read (give up: fail_count += 2), next position ..., done
    assert [c.fail_count for c in run.cycles] == [0, 0, 0, 0, 2, 2, 2, 2, 4]
    assert run.cycles[-1].done == 1 and run.cycles[-1].busy == 0


def test_write_verify_model_verify_only():
    model = WriteVerifyModel(rows=2, cols=1, partitions=1, max_pulses=0, read_cycles=1, write_cycles=1)
    run = model.run(lambda r, c, p: LevelCell(5 if r == 0 else 4, 5, 5))
    assert run.fail_count == 1 and run.failed == [(1, 0, 0)]
    assert len(run.cycles) == 3


def test_sar_adc_model():
    trials, result = sar_adc_model(3, lambda code: 5.5 >= code)
    assert trials == [4, 6, 5] and result == 5
    assert sar_adc_model(4, lambda code: False) == ([8, 4, 2, 1], 0)
    assert sar_adc_model(4, lambda code: True) == ([8, 12, 14, 15], 15)
    cycles, result = SarAdcModel(2, settle_cycles=2).run(lambda code: 2.2 >= code, previous_result=1)
    assert result == 2
    assert cycles == [SarAdcCycle(1, 0, 1, 0, 1), SarAdcCycle(0, 2, 1, 0, 1), SarAdcCycle(0, 2, 1, 0, 1),
                      SarAdcCycle(0, 3, 1, 0, 1), SarAdcCycle(0, 3, 1, 0, 1), SarAdcCycle(0, 0, 0, 1, 2)]
