"""The SBOM's Debian part: dpkg status parsing, purls, and the coverage note (no Docker).

The whole SBOM of a real image is checked in test_pipeline.py (`release` fixture).
"""

from __future__ import annotations

from slipway_delivery.sbom import coverage_note, debian_components, debian_packages

# Two stanzas as `dpkg-query -s` writes them, plus one removed package (config files only).
STATUS = """\
Package: libssl3
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Version: 3.0.20-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation.

Package: ca-certificates
Status: install ok installed
Architecture: all
Version: 20230311+deb12u1
Conffiles:
 /etc/ca-certificates.conf 0123456789abcdef0123456789abcdef

Package: oldpkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0
"""


def test_installed_packages_are_read_from_the_status() -> None:
    assert debian_packages(STATUS) == [
        {"name": "ca-certificates", "version": "20230311+deb12u1", "arch": "all"},
        {"name": "libssl3", "version": "3.0.20-1~deb12u2", "arch": "amd64"},
    ]
    assert debian_packages("") == []


def test_debian_components_carry_deb_purls() -> None:
    components = debian_components(debian_packages(STATUS))
    assert [c["purl"] for c in components] == [
        "pkg:deb/debian/ca-certificates@20230311+deb12u1?arch=all",
        "pkg:deb/debian/libssl3@3.0.20-1~deb12u2?arch=amd64",
    ]
    assert all(c["bom-ref"] == c["purl"] and c["type"] == "library" for c in components)


def test_the_coverage_note_says_what_is_not_listed() -> None:
    without = coverage_note(61, 0)
    assert "61 Python distributions" in without
    assert "no dpkg status" in without
    assert "NOT listed" in without
    with_debs = coverage_note(61, 20)
    assert "20 Debian packages" in with_debs
    assert "not listed" in with_debs
