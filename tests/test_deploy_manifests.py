"""The Kubernetes manifests in deploy/k8s and the HAProxy config, checked without a cluster.

1. ``kubernetes-validate --strict`` (bundled schemas, works offline) passes on every manifest
   of the kustomization and on every other YAML file in deploy/k8s; a misspelt field fails it.
2. The Deployment cannot drift from the Dockerfile: the container's command + args equal the
   CMD (there is no ENTRYPOINT), the port is the EXPOSEd one, the user is the USER, and the
   probes hit the URL path and port of the HEALTHCHECK with its interval, timeout, retries and
   start period (all parsed from the Dockerfile by tests/test_container.py's parser).
3. The objects fit together: selectors match the pod labels, the Service targets the container
   port, the Ingress the Service (with cookie affinity and WebSocket-length timeouts), the HPA
   and the PDB the Deployment; ≥ 2 replicas, non-root, read-only root filesystem, and a memory
   limit above the cost guard's budget for one computation.
4. deploy/haproxy.cfg, rendered for two replicas, passes ``haproxy -c``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from helpers import REPO_ROOT
from test_container import dockerfile_instructions, parse_dockerfile, parse_duration

from deploy.replicas import render_haproxy_cfg
from ntk_core.cost import MEMORY_BUDGET_B

K8S = REPO_ROOT / "deploy" / "k8s"
DOCKERFILE = REPO_ROOT / "Dockerfile"
VALIDATOR = Path(sys.executable).parent / "kubernetes-validate"


def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def manifests() -> dict[str, dict]:
    """kind -> object, for every resource of the kustomization."""
    out = {}
    for name in kustomization()["resources"]:
        for doc in yaml.safe_load_all((K8S / name).read_text()):
            assert doc["kind"] not in out, f"two {doc['kind']} objects"
            out[doc["kind"]] = doc
    return out


def container() -> dict:
    (c,) = manifests()["Deployment"]["spec"]["template"]["spec"]["containers"]
    return c


def validate(paths: list[Path]) -> subprocess.CompletedProcess:
    assert VALIDATOR.is_file(), "kubernetes-validate missing: scripts/setup.sh installs it"
    return subprocess.run(
        [str(VALIDATOR), "--strict", "--quiet", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


# ----------------------------------------------------------------------------- 1. schema


def test_manifests_validate_strictly():
    listed = [K8S / name for name in kustomization()["resources"]]
    others = [p for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"]
    assert set(listed) <= set(others), "kustomization.yaml lists a file that does not exist"
    assert {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler",
            "PodDisruptionBudget"} <= set(manifests())  # fmt: skip
    res = validate(others)
    assert res.returncode == 0, f"kubernetes-validate --strict failed:\n{res.stdout}{res.stderr}"


def test_validator_rejects_a_misspelt_field(tmp_path: Path):
    bad = tmp_path / "deployment.yaml"
    text = (K8S / "deployment.yaml").read_text()
    bad.write_text(text.replace("readOnlyRootFilesystem:", "readOnlyRootFileSystem:", 1))
    res = validate([bad])
    assert res.returncode != 0 and "readOnlyRootFileSystem" in res.stdout + res.stderr


# ----------------------------------------------------------------------------- 2. Dockerfile


def test_container_command_is_the_dockerfile_cmd():
    img = parse_dockerfile(DOCKERFILE)
    keywords = [k for k, _ in dockerfile_instructions(DOCKERFILE.read_text())]
    assert "ENTRYPOINT" not in keywords, "with an ENTRYPOINT, `command` would replace it"
    c = container()
    assert c["command"] + c["args"] == img.cmd
    port = int(re.search(r"--server\.port[= ](\d+)", " ".join(img.cmd))[1])
    assert port in img.exposed
    assert [p["containerPort"] for p in c["ports"]] == [port]
    pod_sc = manifests()["Deployment"]["spec"]["template"]["spec"]["securityContext"]
    assert f"{pod_sc['runAsUser']}:{pod_sc['runAsGroup']}" == img.user


def test_probes_match_the_dockerfile_healthcheck():
    img = parse_dockerfile(DOCKERFILE)
    urls = [u for arg in img.healthcheck for u in re.findall(r"https?://[^'\"\s]+", arg)]
    assert len(urls) == 1, f"expected one URL in the HEALTHCHECK, found {urls}"
    url = urlparse(urls[0])
    opts = img.healthcheck_options
    c = container()
    port_names = {p["name"]: p["containerPort"] for p in c["ports"]}
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        probe = c[kind]["httpGet"]
        port = port_names.get(probe["port"], probe["port"])
        assert (probe["path"], port) == (url.path, url.port), f"{kind} probes another URL"
        assert c[kind]["timeoutSeconds"] == parse_duration(opts["timeout"], -1), kind
    live = c["livenessProbe"]
    assert live["periodSeconds"] == parse_duration(opts["interval"], -1)
    assert live["failureThreshold"] == int(opts["retries"])
    start = c["startupProbe"]
    assert start["periodSeconds"] * start["failureThreshold"] == parse_duration(
        opts["start-period"], -1
    ), "the startup probe's window should be the HEALTHCHECK's start period"


# ----------------------------------------------------------------------------- 3. objects


def test_deployment_is_hardened_and_sized():
    dep = manifests()["Deployment"]
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    assert spec["replicas"] >= 2
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    assert pod["securityContext"]["runAsNonRoot"] is True
    c = container()
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    mounts = {m["mountPath"] for m in c["volumeMounts"]}
    empty_dirs = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
    assert "/tmp" in mounts and {m["name"] for m in c["volumeMounts"]} <= empty_dirs
    req, lim = c["resources"]["requests"], c["resources"]["limits"]
    assert quantity(req["memory"]) <= quantity(lim["memory"])
    assert quantity(lim["memory"]) > MEMORY_BUDGET_B, (
        "the memory limit must leave room for one computation at the cost guard's budget"
    )
    assert "cpu" in req, "the HPA's CPU utilisation is relative to the CPU request"


def quantity(text: str) -> float:
    """A Kubernetes quantity (``512Mi``, ``1Gi``, ``500m``, ``2``) as a number."""
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z]*)", str(text))
    assert m and m[2] in {"", *units}, f"unknown quantity {text!r}"
    return float(m[1]) * units.get(m[2], 1)


def test_objects_reference_each_other():
    objs = manifests()
    dep, svc, ing = objs["Deployment"], objs["Service"], objs["Ingress"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= labels.items()
    port_names = {p["name"] for p in container()["ports"]}
    (svc_port,) = svc["spec"]["ports"]
    assert svc_port["targetPort"] in port_names
    backends = [
        p["backend"]["service"]
        for rule in ing["spec"]["rules"]
        for p in rule["http"]["paths"]
    ]
    assert backends and all(
        b["name"] == svc["metadata"]["name"] and b["port"]["name"] == svc_port["name"]
        for b in backends
    )
    hpa, pdb = objs["HorizontalPodAutoscaler"], objs["PodDisruptionBudget"]
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", dep["metadata"]["name"])
    assert hpa["spec"]["minReplicas"] >= 2
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_ingress_has_cookie_affinity_and_websocket_timeouts():
    ing = manifests()["Ingress"]
    assert ing["spec"]["ingressClassName"] == "nginx"
    ann = ing["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert ann[prefix + "affinity"] == "cookie"
    assert ann[prefix + "session-cookie-change-on-failure"] == "true"
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(ann[prefix + key]) >= 3600, f"{key}: idle WebSockets would be cut"


# ----------------------------------------------------------------------------- 4. HAProxy


def test_haproxy_config_is_valid(tmp_path: Path):
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if haproxy is None:
        pytest.skip("haproxy not installed (scripts/setup.sh installs it)")
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(render_haproxy_cfg([("r1", 18601), ("r2", 18602)]))
    text = cfg.read_text()
    assert "# @SERVERS@" not in text
    assert re.search(r"^\s+server r2 127\.0\.0\.1:18602 cookie r2$", text, re.M)
    env = {**os.environ, "NTK_BIND": "127.0.0.1:18080", "NTK_STATS_BIND": "127.0.0.1:18081"}
    res = subprocess.run([haproxy, "-c", "-f", str(cfg)], env=env, capture_output=True,
                         text=True, timeout=30)  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    assert "[WARNING]" not in res.stdout + res.stderr, res.stdout + res.stderr
