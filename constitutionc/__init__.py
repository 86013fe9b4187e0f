"""constitutionc: compile an annotated AI constitution into training data and eval probes."""

__version__ = "0.1.0"
