"""docs/sources.md: every `facts §N` the bundled files cite is a section of it; validate
catches a citation of a section that does not exist."""

import re
import subprocess
import sys

import yaml

from beredskap_sim.scenario.fact_sections import cited_sections, find_document, section_text, sections
from conftest import ROOT


def test_every_citation_in_the_bundled_files_resolves_to_a_section_with_a_source():
    document = find_document(ROOT / "networks")
    assert document == ROOT / "docs" / "sources.md"
    known = sections(document)
    cited = set()
    for folder in ("networks", "scenarios", "overlays"):
        for path in (ROOT / folder).glob("*.yaml"):
            cited |= set(cited_sections(path.read_text(encoding="utf-8")))
    assert cited, "the bundled files cite facts §N"
    assert cited <= set(known), f"cited but not in docs/sources.md: {sorted(cited - set(known))}"
    for number in cited - {"11"}:  # §11 lists what no source gave
        text = section_text(document, number)
        assert "| public source |" in text or "public source" in text, number
        assert re.search(r"\|[^|\n]*\d[^|\n]*\|", text), f"§{number} lists no figure"


def test_validate_reports_a_citation_of_a_missing_section(tmp_path):
    text = (ROOT / "networks" / "trondelag-jamtland.yaml").read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines()) if "population:" in t and "facts §8" in t)
    lines = text.splitlines()
    lines[line] = lines[line].replace("facts §8", "facts §99", 1)
    net_path = tmp_path / "networks" / "net.yaml"
    net_path.parent.mkdir()
    net_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "sources.md").write_text((ROOT / "docs" / "sources.md").read_text(encoding="utf-8"), encoding="utf-8")
    scenario = yaml.safe_load((ROOT / "scenarios" / "baseline-week.yaml").read_text(encoding="utf-8"))
    scenario["network"] = "../networks/net.yaml"
    path = tmp_path / "scenarios" / "s.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "beredskap_sim.cli", "validate", str(path)], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("facts §99") == 1 and ".population" in proc.stderr and "Traceback" not in proc.stderr
    assert "1 problem found" in proc.stderr
