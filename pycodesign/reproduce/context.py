"""What every reproduction shares: data, trained networks, the reference architecture, the seed.

Networks are trained once, lazily, seeded by :attr:`Context.seed`, with the
hyper-parameters of the kit's digits flows (``flows/slp_digits.yaml``,
``flows/mlp_digits.yaml``); the MLP has the 54 hidden units of the review's
HfO₂ MLP (Aguirre et al. 2024, Table 5: "2 layers (64 × 54 × 10)").

The reference architecture (:func:`reference_architecture`) is the kit's SLP
digits example: differential mapping into [G_HRS, G_LRS] = [10 µS, 1 mS]
with 32 linearly spaced states and a bias row, fixed-conductance devices,
V_READ = 0.2 V, 1 Ω wire segments, 8-bit DAC and ADC.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..config import Architecture
from ..data import Dataset
from .budget import Budget

__all__ = ["Context", "reference_architecture", "MLP_HIDDEN", "TABULAR_HIDDEN", "RELU_MAX"]

#: Hidden units of the digits MLP (review Table 5: the HfO₂ MLP is 64 × 54 × 10).
MLP_HIDDEN = 54
#: Hidden units of the tabular MLP (the kit's choice: the review does not give ref. 57's network size).
TABULAR_HIDDEN = 16
#: Bound of the hidden ReLU (the next crossbar's full-scale input), as flows/mlp_digits.yaml.
RELU_MAX = 4.0


def reference_architecture(**sections) -> Architecture:
    """The kit's SLP digits example architecture, with sections updated by ``sections`` (dicts)."""
    base = {
        "mapping": {"scheme": "differential", "g_hrs_s": 1e-5, "g_lrs_s": 1e-3, "levels": 32, "bias": True},
        "array": {"device": "linear", "v_read_v": 0.2, "r_row_ohm": 1.0, "r_col_ohm": 1.0,
                  "differential": "subtractor"},
        "converters": {"dac_bits": 8, "adc_bits": 8},
    }
    for name, values in sections.items():
        base[name] = {**base.get(name, {}), **values}
    return Architecture(**base)


@dataclass
class Context:
    """Shared inputs of the reproductions.

    Attributes
    ----------
    seed : int
        Seeds the training and, with the grid cell, every non-ideality draw.
    budget : Budget
    images : Dataset
        The image set of items 1 and 4-7 (8×8 digits or the user's MNIST).
    tabular : Dataset
        The table of item 3 (Wisconsin breast cancer or the user's CSV).
    command : str
        The command that reruns all items with this budget (an item appends ``--items k``).
    command_note : str
        Appended after the item (e.g. that the budget was overridden in the flow file).
    progress : callable(str)
    """

    seed: int
    budget: Budget
    images: Dataset
    tabular: Dataset
    command: str = "pycodesign reproduce"
    command_note: str = ""
    progress: Callable[[str], None] = field(default=lambda msg: None)
    _networks: dict = field(default_factory=dict, repr=False)

    def command_for(self, item: int) -> str:
        """The command reproducing one item."""
        return f"{self.command} --items {item}" + (f" {self.command_note}" if self.command_note else "")

    def _train(self, key, fn):
        if key not in self._networks:
            self.progress(f"training {key} (seed {self.seed}, {self.budget.epochs} epochs)")
            self._networks[key] = fn()
        return self._networks[key]

    @property
    def slp(self):
        """SLP n² × 10 on the image set (flows/slp_digits.yaml hyper-parameters)."""
        from ..nn import train_slp

        ds = self.images
        return self._train("image SLP", lambda: train_slp(ds.x_train, ds.y_train, n_classes=ds.n_classes,
                                                          epochs=self.budget.epochs, lr=0.01, l2=1e-4,
                                                          seed=self.seed, batch_size=32))

    @property
    def mlp(self):
        """MLP n² × 54 × 10 with a bounded ReLU (flows/mlp_digits.yaml hyper-parameters)."""
        from ..nn import train_mlp

        ds = self.images
        return self._train("image MLP", lambda: train_mlp(ds.x_train, ds.y_train, hidden=MLP_HIDDEN,
                                                          n_classes=ds.n_classes, epochs=self.budget.epochs,
                                                          lr=0.005, l2=1e-3, seed=self.seed, batch_size=32,
                                                          relu_max=RELU_MAX))

    @property
    def tabular_mlp(self):
        """MLP n_features × 16 × classes on the table."""
        from ..nn import train_mlp

        ds = self.tabular
        return self._train("tabular MLP", lambda: train_mlp(ds.x_train, ds.y_train, hidden=TABULAR_HIDDEN,
                                                            n_classes=ds.n_classes, epochs=self.budget.epochs,
                                                            lr=0.005, l2=1e-3, seed=self.seed, batch_size=32,
                                                            relu_max=RELU_MAX))

    def networks(self) -> dict:
        """The image networks by label: ``{"SLP 64x10": slp, "MLP 64x54x10": mlp}``."""
        n = self.images.x_train.shape[1]
        k = self.images.n_classes
        return {f"SLP {n}x{k}": self.slp, f"MLP {n}x{MLP_HIDDEN}x{k}": self.mlp}
