"""Type stubs of the extension module; the documented API is `censuslink`'s."""

from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa

__version__: str

class Error(Exception): ...

def run(job_path: str, out: str, lang: Optional[str] = None) -> Tuple[Dict[str, pa.Table], str]: ...
def link(
    tables: List[Any], job_json: str, task: str, lang: Optional[str] = None
) -> Tuple[pa.Table, pa.Table, str]: ...
def explain(
    job_path: str,
    out: str,
    records: Optional[Tuple[str, str]] = None,
    candidate: Optional[str] = None,
    lang: Optional[str] = None,
) -> str: ...
def standardize_id(raw: str) -> Dict[str, Optional[str]]: ...
def standardize_name(raw: str) -> Dict[str, Optional[str]]: ...
