"""The Terraform reader tells an optional progress callback of each file and each root it reads."""

from __future__ import annotations

from pathlib import Path

from gcready.sources import collect
from gcready.sources.progress import Steps


def test_steps_count_up_to_a_total_that_may_grow() -> None:
    seen: list[tuple[int, int, str]] = []
    steps = Steps(lambda done, total, label: seen.append((done, total, label)), 2)
    steps.step("a.tf")
    steps.step("b.tf")
    steps.add(1)
    steps.step("root")
    assert seen == [(1, 2, "a.tf"), (2, 2, "b.tf"), (3, 3, "root")]


def test_a_broken_display_does_not_stop_the_read() -> None:
    def broken(done: int, total: int, label: str) -> None:
        raise RuntimeError("terminal gone")

    steps = Steps(broken, 1)
    steps.step("a.tf")
    assert steps.done == 1


def test_the_terraform_reader_reports_every_file_then_every_root(tmp_path: Path) -> None:
    for root in ("prod", "staging"):
        folder = tmp_path / root
        folder.mkdir()
        (folder / "main.tf").write_text('resource "aws_s3_bucket" "files" {\n  bucket = "acme-files"\n}\n')
        (folder / "versions.tf").write_text('terraform {\n  required_version = ">= 1.5"\n}\n')
    seen: list[tuple[int, int, str]] = []
    evidence = collect([str(tmp_path)], progress=lambda d, t, label: seen.append((d, t, label)))
    assert not evidence.errors
    assert [label for _, _, label in seen] == [
        str(tmp_path / "prod" / "main.tf"),
        str(tmp_path / "prod" / "versions.tf"),
        str(tmp_path / "staging" / "main.tf"),
        str(tmp_path / "staging" / "versions.tf"),
        str(tmp_path / "prod"),
        str(tmp_path / "staging"),
    ]
    assert [done for done, _, _ in seen] == [1, 2, 3, 4, 5, 6]
    assert [total for _, total, _ in seen] == [4, 4, 4, 4, 6, 6]  # the roots are counted once found
