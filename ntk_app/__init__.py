"""What the Streamlit pages share: URL state, controls, figure builders, downloads.

Kept out of ``pages/`` (every file there becomes a page) and out of ``ntk_core`` (no Streamlit
or plotly in the engine).
"""

# Import pandas and PIL.Image completely before any page builds a plotly figure. plotly peeks at
# them with ``sys.modules.get`` (``_plotly_utils.optional_imports.get_module(..., should_load=
# False)``), which bypasses the import lock: while one session's script thread is still importing
# pandas (st.table, st.dataframe, the Claims page), another session's figure saw a half-initialised
# module and the page died with "partially initialized module 'pandas' has no attribute 'Series'"
# (10 visitors on a fresh server, tests/test_load.py). Every page imports ntk_app first, and a
# thread importing ntk_app waits until this module has finished.
import pandas  # noqa: F401
import PIL.Image  # noqa: F401
