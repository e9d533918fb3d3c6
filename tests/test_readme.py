"""The README's API example must run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README has no python example"
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.split()
    assert float(printed[0]) < 0.1  # empirical vs analytic NTK at width 4096


def test_readme_names_the_two_commands():
    text = README.read_text()
    assert "bash scripts/app.sh" in text and "bash scripts/test.sh" in text
    assert (README.parent / "scripts" / "app.sh").exists()
    assert (README.parent / "scripts" / "test.sh").exists()
