"""Pod Security Standards, "restricted" profile (Kubernetes v1.30), as a checker.

Hand-written because no maintained Python library evaluates PSS: the rules
below follow https://kubernetes.io/docs/concepts/security/pod-security-standards/
(baseline + restricted, v1.30) field by field. `violations(pod_spec)` returns
one message per broken rule, naming the field.
"""

from __future__ import annotations

from typing import Any

ALLOWED_VOLUME_TYPES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
    "persistentVolumeClaim", "projected", "secret",
}  # fmt: skip
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}  # fmt: skip
ALLOWED_SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t"}


def _containers(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{field}[{c.get('name')}]", c)
        for field in ("initContainers", "containers", "ephemeralContainers")
        for c in spec.get(field, []) or []
    ]


def _baseline(spec: dict[str, Any]) -> list[str]:
    found = []
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            found.append(f"spec.{field} must not be true")
    for vol in spec.get("volumes", []) or []:
        kinds = set(vol) - {"name"}
        if not kinds <= ALLOWED_VOLUME_TYPES:
            found.append(f"volume {vol['name']}: type {sorted(kinds)} is not allowed")
    pod_sc = spec.get("securityContext", {}) or {}
    for sysctl in pod_sc.get("sysctls", []) or []:
        if sysctl["name"] not in SAFE_SYSCTLS:
            found.append(f"securityContext.sysctls: {sysctl['name']} is not a safe sysctl")
    if (pod_sc.get("seLinuxOptions") or {}).get("type", "") not in ALLOWED_SELINUX_TYPES:
        found.append("securityContext.seLinuxOptions.type is not allowed")
    return found + _baseline_containers(spec)


def _baseline_containers(spec: dict[str, Any]) -> list[str]:
    found = []
    for where, c in _containers(spec):
        sc = c.get("securityContext", {}) or {}
        if sc.get("privileged"):
            found.append(f"{where}.securityContext.privileged must not be true")
        added = set((sc.get("capabilities") or {}).get("add", []) or [])
        if added - {"NET_BIND_SERVICE"}:
            found.append(f"{where}: capabilities.add may only hold NET_BIND_SERVICE")
        if any(p.get("hostPort") for p in c.get("ports", []) or []):
            found.append(f"{where}: hostPort must not be set")
        if sc.get("procMount", "Default") != "Default":
            found.append(f"{where}.securityContext.procMount must be Default")
        if (sc.get("appArmorProfile") or {}).get("type") == "Unconfined":
            found.append(f"{where}.securityContext.appArmorProfile must not be Unconfined")
    return found


def violations(spec: dict[str, Any]) -> list[str]:
    """Every way `spec` (a PodSpec) breaks Pod Security "restricted"."""
    found = _baseline(spec)
    pod_sc = spec.get("securityContext", {}) or {}
    if pod_sc.get("runAsUser") == 0:
        found.append("securityContext.runAsUser must not be 0")
    pod_seccomp = (pod_sc.get("seccompProfile") or {}).get("type")
    for where, c in _containers(spec):
        sc = c.get("securityContext", {}) or {}
        if sc.get("allowPrivilegeEscalation") is not False:
            found.append(f"{where}.securityContext.allowPrivilegeEscalation must be false")
        if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True:
            found.append(f"{where}: runAsNonRoot must be true (pod or container)")
        if sc.get("runAsUser") == 0:
            found.append(f"{where}.securityContext.runAsUser must not be 0")
        seccomp = (sc.get("seccompProfile") or {}).get("type", pod_seccomp)
        if seccomp not in {"RuntimeDefault", "Localhost"}:
            found.append(f"{where}: seccompProfile.type must be RuntimeDefault or Localhost")
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            found.append(f"{where}.securityContext.capabilities.drop must include ALL")
    return found
