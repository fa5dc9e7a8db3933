"""Mixed-signal co-simulation: the kit's RTL inside ngspice (XSPICE ``d_cosim`` + Verilator)."""
