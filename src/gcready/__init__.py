"""gcready: is this Weights & Biases deployment ready for artifact garbage collection?"""

__version__ = "0.1.0"
