"""Technology table: supply, wires and the NAND2 gate per CMOS node, each figure with its source.

The cost model converts gate counts to µm² and toggles to joules, wire lengths to
ohms and farads, with one entry per node.  The node is a configuration key
(``node_nm``); :func:`get_technology` refuses an unknown node with the list of
known ones.

Where the numbers come from
---------------------------
* **130 nm** — SkyWater SKY130 open PDK, ``sky130_fd_sc_hd`` standard cells
  (Apache-2.0; ``cells/nand2/sky130_fd_sc_hd__nand2_1__tt_025C_1v80.lib.json``):
  NAND2 (``nand2_1``) area 3.7536 µm², input capacitance 2.315 fF (pin A),
  library corner ``tt_025C_1v80`` (V_DD = 1.8 V).
* **45 nm** — NanGate FreePDK45 Open Cell Library (typical corner, 1.1 V):
  ``NAND2_X1`` 0.57 µm × 1.4 µm = 0.798 µm², input capacitance 1.599 fF (pin A1).
* **65, 32, 22 nm** — *derived* from the 45 nm cell by constant-field scaling:
  area × (F/45)², input capacitance × (F/45) (gate capacitance per µm of width
  stays roughly constant while widths shrink with F).  The supply is the
  nominal V_DD of the PTM model cards (Predictive Technology Model, ASU;
  Zhao & Cao, IEEE TED 53(11):2816–2823, 2006): 22 nm HP 0.8 V, 32 nm HP 0.9 V
  (stated in the cards' headers), 65 nm bulk 1.1 V (PTM's listing; the card
  itself states no V_DD).
* **Wires** — resistance per µm as tabulated for the NeuroSim framework
  (P.-Y. Chen, X. Peng, S. Yu, "NeuroSim: a circuit-level macro model for
  benchmarking neuro-inspired architectures in online learning", IEEE TCAD
  37(12):3067–3080, 2018; derived there from the minimum wire width, aspect
  ratio and resistivity of each node): 130 nm 0.48, 65 nm 1.43, 32 nm
  5.70 Ω/µm.  45 nm is a log-log interpolation between 65 and 32 nm, 22 nm a
  log-log extrapolation with the 65→32 nm slope (a lower bound: surface and
  grain-boundary scattering raise the resistivity of narrower wires further).
  Capacitance 0.2 fF/µm at every node (same source).

Energy per toggle
-----------------
``nand2_energy_j`` is the energy of one output transition of a NAND2 driving
four copies of itself (FO4, the customary gate load):
``E = ½ · (4 + 1.5) · C_in · V_DD²``, where 1.5·C_in is the NAND2's own output
(parasitic) capacitance — logical effort gives a NAND2 parasitic delay of 2
inverter units against an input capacitance of 4/3 units (Sutherland, Sproull
& Harris, *Logical Effort*, Morgan Kaufmann 1999, Table 1.2/1.3).  Cross-check
at 130 nm: the SKY130 liberty tables give ≈ 3 fJ internal energy plus
½·9.3 fF·(1.8 V)² = 15 fJ load energy, 18 fJ in all, against 20.6 fJ here.
Leakage is not modelled.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Technology", "TECHNOLOGIES", "get_technology", "known_nodes",
           "FO4_SWITCHED_CAP_FACTOR"]

#: C_switched / C_in of a NAND2 at fan-out 4: 4 loads + 1.5 C_in of its own (logical effort).
FO4_SWITCHED_CAP_FACTOR = 4.0 + 1.5

_SKY130 = ("SkyWater SKY130 PDK, sky130_fd_sc_hd (Apache-2.0), cell nand2_1, "
           "corner tt_025C_1v80")
_NANGATE = "NanGate FreePDK45 Open Cell Library, NAND2_X1 (0.57 um x 1.4 um), typical corner 1.1 V"
_NEUROSIM_WIRE = ("NeuroSim wire model (Chen, Peng & Yu, IEEE TCAD 37(12), 2018): R from minimum width, "
                  "aspect ratio and resistivity per node; C = 0.2 fF/um")

# Published NeuroSim wire resistances (ohm/um) and their log-log interpolation.
_R_WIRE_PUBLISHED = {130: 0.48, 65: 1.43, 32: 5.70}
_SLOPE_65_32 = math.log(_R_WIRE_PUBLISHED[32] / _R_WIRE_PUBLISHED[65]) / math.log(65 / 32)


def _r_wire_from_65_32(node_nm: float) -> float:
    """Log-log interpolation/extrapolation of the 65 and 32 nm wire resistances (ohm/um)."""
    return _R_WIRE_PUBLISHED[65] * (65.0 / node_nm) ** _SLOPE_65_32


def _fo4_energy_j(c_in_f: float, vdd_v: float) -> float:
    return 0.5 * FO4_SWITCHED_CAP_FACTOR * c_in_f * vdd_v ** 2


@dataclass(frozen=True)
class Technology:
    """One CMOS node of the technology table.

    Parameters
    ----------
    node_nm : int
        Node name (nm), the configuration key.
    f_nm : float
        Feature size F (nm) used for cell areas (4F², 3(W/L+1)F²).
    vdd_v : float
        Logic supply voltage (V).
    r_wire_ohm_per_um : float
        Resistance of a minimum-width local wire (Ω/µm).
    c_wire_f_per_um : float
        Capacitance of a wire (F/µm).
    nand2_area_um2 : float
        Area of a minimum NAND2 standard cell (µm²), the unit of gate counts.
    nand2_c_in_f : float
        Input capacitance of that NAND2 (F).
    sources : dict
        Field name → where the value comes from (or how it is derived).
    """

    node_nm: int
    f_nm: float
    vdd_v: float
    r_wire_ohm_per_um: float
    c_wire_f_per_um: float
    nand2_area_um2: float
    nand2_c_in_f: float
    sources: dict = field(default_factory=dict, compare=False)

    @property
    def nand2_energy_j(self) -> float:
        """Energy of one NAND2 output toggle at fan-out 4 (J); see the module docstring."""
        return _fo4_energy_j(self.nand2_c_in_f, self.vdd_v)

    @property
    def f_um(self) -> float:
        """Feature size F (µm)."""
        return self.f_nm * 1e-3

    def to_dict(self) -> dict:
        """Plain-dict form (units in the keys) for ``metrics.json``."""
        return {"node_nm": self.node_nm, "f_nm": self.f_nm, "vdd_v": self.vdd_v,
                "r_wire_ohm_per_um": self.r_wire_ohm_per_um, "c_wire_f_per_um": self.c_wire_f_per_um,
                "nand2_area_um2": self.nand2_area_um2, "nand2_c_in_f": self.nand2_c_in_f,
                "nand2_energy_j": self.nand2_energy_j, "sources": dict(self.sources)}


def _scaled_from_45(node_nm: int, vdd_v: float, vdd_source: str) -> Technology:
    k = node_nm / 45.0
    published_r = node_nm in _R_WIRE_PUBLISHED
    r = _R_WIRE_PUBLISHED[node_nm] if published_r else _r_wire_from_65_32(node_nm)
    r_src = (_NEUROSIM_WIRE if published_r else
             f"derived: log-log {'interpolation' if 32 < node_nm < 65 else 'extrapolation'} of NeuroSim's "
             f"65 nm (1.43) and 32 nm (5.70 ohm/um) values, R ~ F^-{_SLOPE_65_32:.3f}")
    return Technology(
        node_nm=node_nm, f_nm=float(node_nm), vdd_v=vdd_v,
        r_wire_ohm_per_um=r, c_wire_f_per_um=0.2e-15,
        nand2_area_um2=0.798 * k * k, nand2_c_in_f=1.599e-15 * k,
        sources={
            "vdd_v": vdd_source,
            "r_wire_ohm_per_um": r_src,
            "c_wire_f_per_um": _NEUROSIM_WIRE,
            "nand2_area_um2": (_NANGATE if node_nm == 45 else
                               f"derived: NanGate 45 nm NAND2_X1 0.798 um^2 x (F/45)^2 = x {k * k:.4g}"),
            "nand2_c_in_f": (_NANGATE + ", pin A1 1.599 fF" if node_nm == 45 else
                             f"derived: NanGate 45 nm NAND2_X1 1.599 fF x (F/45) = x {k:.4g}"),
            "nand2_energy_j": "derived: 1/2 (4 + 1.5) C_in V_DD^2 (FO4 load + logical-effort parasitic)",
        })


#: The table: node (nm) -> :class:`Technology`.
TECHNOLOGIES: dict[int, Technology] = {
    130: Technology(
        node_nm=130, f_nm=130.0, vdd_v=1.8,
        r_wire_ohm_per_um=_R_WIRE_PUBLISHED[130], c_wire_f_per_um=0.2e-15,
        nand2_area_um2=3.7536, nand2_c_in_f=2.315e-15,
        sources={
            "vdd_v": _SKY130 + " (nom_voltage 1.8 V)",
            "r_wire_ohm_per_um": _NEUROSIM_WIRE,
            "c_wire_f_per_um": _NEUROSIM_WIRE,
            "nand2_area_um2": _SKY130 + " (area 3.7536 um^2)",
            "nand2_c_in_f": _SKY130 + " (pin A capacitance 0.002315 pF)",
            "nand2_energy_j": "derived: 1/2 (4 + 1.5) C_in V_DD^2 (FO4 load + logical-effort parasitic)",
        }),
    65: _scaled_from_45(65, 1.1, "PTM 65 nm bulk (Zhao & Cao 2006), nominal V_DD 1.1 V"),
    45: _scaled_from_45(45, 1.1, _NANGATE),
    32: _scaled_from_45(32, 0.9, "PTM HP 32 nm metal gate/high-k card header: nominal Vdd = 0.9 V"),
    22: _scaled_from_45(22, 0.8, "PTM HP 22 nm metal gate/high-k card header: nominal Vdd = 0.8 V"),
}


def known_nodes() -> list[int]:
    """The nodes of the table (nm), largest first."""
    return sorted(TECHNOLOGIES, reverse=True)


def get_technology(node_nm) -> Technology:
    """The table entry of *node_nm*.

    Raises
    ------
    ValueError
        *node_nm* is not a node of the table; the message lists the known nodes.
    """
    if isinstance(node_nm, bool) or not isinstance(node_nm, (int, float)) or node_nm not in TECHNOLOGIES:
        raise ValueError(f"technology node_nm = {node_nm!r} is not in the technology table; "
                         f"known nodes: {', '.join(str(n) for n in known_nodes())} (nm)")
    return TECHNOLOGIES[int(node_nm)]
