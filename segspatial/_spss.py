"""Reading SPSS ``.sav`` files (CBS microdata often comes as SPSS) with ``pyreadstat``.

``pyreadstat`` is an optional dependency (the extra ``spss``); it is imported only when
an SPSS file is read, so ``import segspatial`` never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["read_spss"]

_INSTALL = "pip install 'segspatial[spss]'"


def _import_pyreadstat():
    try:
        import pyreadstat
    except ImportError as exc:
        raise ImportError(
            "reading SPSS .sav files needs the optional package 'pyreadstat', which is not "
            f"installed; install the extra with: {_INSTALL}"
        ) from exc
    return pyreadstat


def _as_text(s: pd.Series) -> pd.Series:
    """Identifiers as text: whole numbers without '.0', blanks as missing."""
    if pd.api.types.is_numeric_dtype(s):
        x = s.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = np.isfinite(x)
        if np.all(x[finite] == np.round(x[finite])):
            return s.astype("Int64").astype("string")
        return s.astype("string")
    return s.astype("string")


def read_spss(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    text_columns: Sequence[str] = (),
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read an SPSS ``.sav``/``.zsav`` file, only the columns asked for.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    columns : sequence of str, optional
        Read only these columns (all must exist).
    text_columns : sequence of str
        Columns to return as text; numeric codes that are whole numbers lose their
        ``.0`` (school 123.0 becomes "123").
    encoding : str, optional
        The file's text encoding (an iconv name); by default the one the file declares.

    Returns
    -------
    pandas.DataFrame
        Codes, not value labels; SPSS's blank strings become missing values.

    Raises
    ------
    ImportError
        If ``pyreadstat`` is not installed (the message says how to install it).
    ValueError
        If requested columns are missing or the file cannot be read as SPSS.
    """
    pyreadstat = _import_pyreadstat()
    path = Path(path)
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True, encoding=encoding)
    except pyreadstat.ReadstatError as exc:
        raise ValueError(f"cannot read {str(path)!r} as an SPSS file: {exc}") from exc
    names = list(meta.column_names)
    wanted = list(dict.fromkeys(columns)) if columns is not None else None
    if wanted is not None:
        missing = [c for c in wanted if c not in names]
        if missing:
            raise ValueError(f"{str(path)!r} has no column(s) {missing!r}; it has {names!r}")
    frame, _ = pyreadstat.read_sav(str(path), usecols=wanted, encoding=encoding)
    for col in frame.columns:
        s = frame[col]
        if col in text_columns:
            s = _as_text(s)
        if pd.api.types.is_string_dtype(s):
            s = s.where(s.str.strip() != "")
        frame[col] = s
    return frame
