"""What the Streamlit pages share: URL state, controls, figure builders, downloads.

Kept out of ``pages/`` (every file there becomes a page) and out of ``ntk_core`` (no Streamlit
or plotly in the engine).
"""
