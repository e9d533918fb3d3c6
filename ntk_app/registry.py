"""The one list of the explorer's pages.

Everything that needs to know the pages reads :data:`PAGES`: the sidebar (``ntk_app.nav``), the
Home cards, the claims' links, the page benchmark and the tests. A page's URL path is fixed by
its file name under Streamlit's ``pages/`` convention ("pages/1_Width_stability.py" is served at
"/Width_stability"); :func:`check_files` verifies that the registry and the folder agree.

Icons are Material Symbols (``:material/…:``), which Streamlit ships as a font: emoji render as
empty boxes on machines without an emoji font.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Page:
    """One page of the app.

    ``view`` is the name the engine's claims use ("width_stability"); ``path`` the script,
    relative to the repository root; ``slug`` its URL path ("" for Home).
    """

    view: str
    title: str
    icon: str
    path: str
    summary: str

    @property
    def slug(self) -> str:
        """URL path of the page: the file name without its order prefix and ``.py``."""
        if self.path == "app.py":
            return ""
        return Path(self.path).stem.split("_", 1)[1]

    def url(self, settings: Mapping[str, object] | None = None) -> str:
        """App-relative link ("Width_stability?width=50"): it resolves against the current
        page's URL, so it also works when the app is served under a path prefix."""
        query = urllib.parse.urlencode({k: str(v) for k, v in (settings or {}).items()})
        return self.slug + (f"?{query}" if query else "")


HOME = Page(
    "home", "Home", ":material/home:", "app.py",
    "Why an infinitely wide network trained by gradient descent is a kernel machine.",
)

PAGES: tuple[Page, ...] = (
    HOME,
    Page(
        "width_stability", "Width stability", ":material/straighten:",
        "pages/1_Width_stability.py",
        "Two random networks of the same width: their NTKs agree, and approach the "
        "infinite-width kernel, as the width grows (spread ≈ 1/√width).",
    ),
    Page(
        "training_dynamics", "Training dynamics", ":material/trending_down:",
        "pages/2_Training_dynamics.py",
        "Real gradient descent beside the NTK's exact prediction; large-eigenvalue (smooth) "
        "directions are learned first.",
    ),
    Page(
        "lazy_vs_rich", "Lazy vs rich", ":material/compare_arrows:",
        "pages/3_Lazy_vs_rich.py",
        "A wide net barely moves its kernel, a narrow one rewires it; the output scale and the "
        "parameterization are knobs between the two regimes.",
    ),
    Page(
        "infinite_width", "Infinite width", ":material/all_inclusive:",
        "pages/4_Infinite_width.py",
        "The exact NNGP and NTK of deep ReLU and erf networks: depth sharpens the peak and "
        "lifts the floor.",
    ),
    Page(
        "kernel_motion", "Kernel motion", ":material/ssid_chart:", "pages/6_Kernel_motion.py",
        "Spread between random draws vs change during training: different laws, a rate that "
        "depends on the activation, and the three parameterizations.",
    ),
    Page(
        "claims", "Claims", ":material/fact_check:", "pages/5_Claims.py",
        "Each claim of the original article and of the papers beside the number the engine "
        "measures now, with its verdict.",
    ),
)

_BY_VIEW = {p.view: p for p in PAGES}


def page(view: str) -> Page:
    """The page of a view name; KeyError for an unknown one."""
    return _BY_VIEW[view]


def content_pages() -> tuple[Page, ...]:
    """Every page but Home."""
    return tuple(p for p in PAGES if p is not HOME)


def check_files(root: Path = ROOT) -> list[str]:
    """Problems between the registry and the files: a missing script, a script in pages/
    without an entry, duplicate slugs. Empty when they agree."""
    problems = [f"{p.path} does not exist" for p in PAGES if not (root / p.path).is_file()]
    listed = {p.path for p in PAGES}
    problems += [
        f"pages/{f.name} is not in ntk_app.registry.PAGES"
        for f in sorted((root / "pages").glob("*.py"))
        if f"pages/{f.name}" not in listed
    ]
    slugs = [p.slug for p in PAGES]
    problems += [f"duplicate slug {s!r}" for s in {s for s in slugs if slugs.count(s) > 1}]
    return problems
