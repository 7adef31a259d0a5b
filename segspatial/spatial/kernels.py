"""Distance kernels of the local environments, as a registry (name -> kernel).

A kernel gives the weight ``w = f(z)`` of a unit at distance ``d`` from another, with
``z = d / h`` and ``h`` the bandwidth in metres. Every kernel weighs 1 at distance 0 (a
unit's own pupils count fully in its own environment) and 0 from ``z >= support``, so
that only pairs closer than ``support * h`` need to be found. The function receives
``z²`` (squared distances are what the neighbour search computes; no square root is
needed for the built-in kernels), must be vectorised, and may overwrite its argument
(a scratch array) and return it: the built-in kernels do, to save memory traffic.

As in libpysal (``libpysal/kernels.py``), a new kernel is one entry:
:func:`register_kernel`. Nearest neighbours (``k``) are not a kernel of distance and
are chosen with ``k`` instead.

References
----------
Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*.
    Chapman & Hall (the gaussian, biweight and uniform kernels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEFAULT_BANDWIDTHS",
    "GAUSSIAN_CUTOFF",
    "KERNELS",
    "PROFILE_BANDWIDTHS",
    "Kernel",
    "register_kernel",
]

#: The gaussian kernel is cut off at this many bandwidths (weight exp(-12.5) < 4e-6).
GAUSSIAN_CUTOFF = 5.0
#: Bandwidths (metres) used when none are given.
DEFAULT_BANDWIDTHS = (500.0, 1000.0, 2000.0, 4000.0)
#: Bandwidths (metres) of :func:`multiscale_profile` when none are given (0 = aspatial).
PROFILE_BANDWIDTHS = (0.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0)


@dataclass(frozen=True)
class Kernel:
    """A distance kernel.

    Attributes
    ----------
    name : str
        Its name in results tables (the ``kernel`` column).
    function : callable
        ``f(z2) -> w``: the weights for squared scaled distances ``z2 = (d / h)²``
        (a float64 scratch array it may overwrite, all values at most ``support²``);
        ``f(0) == 1``.
    support : float
        Weights are 0 from ``d >= support * h``.
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    support: float


def _gaussian(z2: np.ndarray) -> np.ndarray:
    z2 *= -0.5
    return np.exp(z2, out=z2)


def _biweight(z2: np.ndarray) -> np.ndarray:
    np.subtract(1.0, z2, out=z2)
    return np.square(z2, out=z2)


def _boxcar(z2: np.ndarray) -> np.ndarray:
    z2.fill(1.0)
    return z2


#: The registered kernels, by name: ``gaussian`` exp(-z²/2) cut off at
#: :data:`GAUSSIAN_CUTOFF` bandwidths, ``biweight`` (1 - z²)² for z < 1, ``boxcar`` 1
#: for z < 1.
KERNELS: dict[str, Kernel] = {
    "gaussian": Kernel("gaussian", _gaussian, GAUSSIAN_CUTOFF),
    "biweight": Kernel("biweight", _biweight, 1.0),
    "boxcar": Kernel("boxcar", _boxcar, 1.0),
}


def register_kernel(name: str, function: Callable[[np.ndarray], np.ndarray],
                    support: float) -> Kernel:
    """Add a distance kernel to :data:`KERNELS`.

    Parameters
    ----------
    name : str
        A new name (not ``"knn"``, which selects nearest neighbours).
    function : callable
        ``f(z2) -> w`` for squared scaled distances ``z2 = (d / h)²`` up to
        ``support²``; vectorised, non-negative, ``f(0) == 1``; it may overwrite
        ``z2`` (a scratch array).
    support : float
        Weights are 0 from ``d >= support * h`` (finite, > 0).

    Returns
    -------
    Kernel

    Raises
    ------
    ValueError
        If the name is taken or ``support`` is not a finite number > 0, or ``f(0)``
        is not 1.

    Examples
    --------
    >>> k = register_kernel("triangular_doc", lambda z2: 1.0 - np.sqrt(z2), 1.0)
    >>> float(k.function(np.array([0.25]))[0])
    0.5
    >>> del KERNELS["triangular_doc"]
    """
    if not isinstance(name, str) or not name or name == "knn" or name in KERNELS:
        raise ValueError(f"kernel name must be a new, non-empty string other than 'knn'; "
                         f"got {name!r} (registered: {', '.join(KERNELS)})")
    if not callable(function):
        raise TypeError(f"function must be callable, got {function!r}")
    if not (isinstance(support, int | float) and np.isfinite(support) and support > 0):
        raise ValueError(f"support must be a finite number of bandwidths > 0, got {support!r}")
    at_zero = np.asarray(function(np.zeros(1)), dtype=np.float64)
    if at_zero.shape != (1,) or at_zero[0] != 1.0:
        raise ValueError(f"kernel {name!r}: f(0) must be 1 (a unit's own pupils count fully), "
                         f"got {at_zero.tolist()!r}")
    kernel = Kernel(name, function, float(support))
    KERNELS[name] = kernel
    return kernel
