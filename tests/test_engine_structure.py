"""The engine's shape: no screen library, small modules, a public face without test oracles,
and no page URL anywhere in it (the app builds links from view names)."""

import ast
from pathlib import Path

import ntk_core
import ntk_core.testing

ENGINE = Path(ntk_core.__file__).resolve().parent
MODULES = sorted(ENGINE.glob("*.py"))


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_engine_imports_no_screen_library():
    for path in MODULES:
        assert not imported_roots(path) & {"streamlit", "plotly", "ntk_app"}, path.name


def test_engine_imports_no_scikit_learn():
    """The engine is NumPy/SciPy only: data sets and baselines are loaded by the app layer
    (ntk_app.datasets), also inside functions (ast.walk sees nested imports)."""
    for path in MODULES:
        assert "sklearn" not in imported_roots(path), path.name
    code = ("import sys, ntk_core, ntk_core.claims, ntk_core._claims_realdata, "
            "ntk_core._claims_ensembles, ntk_core.realdata; "
            "assert 'sklearn' not in sys.modules, 'sklearn imported'")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], cwd=ENGINE.parent, capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr


def test_every_engine_module_is_at_most_700_lines():
    sizes = {p.name: len(p.read_text().splitlines()) for p in MODULES}
    assert max(sizes.values()) <= 700, sizes


def test_public_names_hold_no_test_oracle():
    assert not {"explicit_jacobian", "flatten", "unflatten"} & set(ntk_core.__all__)
    assert set(ntk_core.testing.__all__) == {"explicit_jacobian", "flatten", "unflatten"}
    for name in ntk_core.__all__:
        assert hasattr(ntk_core, name), name


def test_engine_knows_no_page_url():
    for path in MODULES:
        text = path.read_text()
        for slug in ("/Width_stability", "/Training_dynamics", "/Lazy_vs_rich", "/Infinite_width",
                     "VIEW_PATHS", "VIEW_TITLES", "urlencode"):
            assert slug not in text, (path.name, slug)
