"""The Dockerfile and Kubernetes manifests: linted, validated, and in step with the code."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from service import create_app
from service.cli import main
from service.engines import EngineRegistry
from service.engines.lead import LeadSummarizer
from service.settings import PREFIX
from service.settings import Settings

pytestmark = pytest.mark.deploy
ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
BASE = K8S / "base"
KUBERNETES_VERSION = "1.37.0"
# Every kustomization a cluster can receive, rendered as kubectl would send it.
KUSTOMIZATIONS = ("base", "overlays/dev", "overlays/prod", "backfill")


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]' (kubectl: .ci/run)")
    return found


@functools.cache
def rendered_text(kustomization: str) -> str:
    result = subprocess.run(
        [tool("kubectl"), "kustomize", str(K8S / kustomization)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def render(kustomization: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(rendered_text(kustomization)) if d]


def find(kustomization: str, kind: str, name: str | None = None) -> dict[str, Any]:
    found = [
        d
        for d in render(kustomization)
        if d["kind"] == kind and name in (None, d["metadata"]["name"])
    ]
    assert len(found) == 1, (kustomization, kind, name, len(found))
    return found[0]


def pod_spec(kustomization: str = "base") -> dict[str, Any]:
    spec: dict[str, Any] = find(kustomization, "Deployment")["spec"]["template"]["spec"]
    return spec


def container(kustomization: str = "base") -> dict[str, Any]:
    first: dict[str, Any] = pod_spec(kustomization)["containers"][0]
    return first


def proxy() -> dict[str, Any]:
    (found,) = [c for c in pod_spec()["containers"] if c["name"] == "proxy"]
    result: dict[str, Any] = found
    return result


def settings_of(kustomization: str) -> dict[str, str]:
    """The environment the app container gets: its ConfigMap, then its env entries."""
    deployment = find(kustomization, "Deployment")
    (ref,) = [
        e["configMapRef"]["name"]
        for e in container(kustomization)["envFrom"]
        if "configMapRef" in e
    ]
    data: dict[str, str] = dict(find(kustomization, "ConfigMap", ref)["data"])
    data.update({e["name"]: e["value"] for e in container(kustomization).get("env", [])})
    assert deployment
    return data


def test_proxy_config_matches_the_app_and_the_deployment() -> None:
    conf = (BASE / "nginx.conf").read_text()
    env = {e["name"]: e["value"] for e in container()["env"]}
    settings = Settings.from_env({k: v for k, v in env.items()})
    assert f"server {settings.host}:{settings.port};" in conf  # the app listens on loopback only
    assert settings.host == "127.0.0.1" and settings.trusted_proxies == 1
    assert f"listen {proxy()['ports'][0]['containerPort']};" in conf
    assert "client_max_body_size 1m;" in conf and settings.max_body_bytes == 1024 * 1024
    assert re.search(r"client_header_timeout \d+s;", conf)
    assert re.search(r"client_body_timeout \d+s;", conf)
    assert "proxy_request_buffering on;" in conf
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf  # overwritten, not appended
    volumes = {v["name"]: v for v in pod_spec()["volumes"]}
    generated = volumes["proxy-config"]["configMap"]["name"]
    assert re.fullmatch(
        r"newsbrief-proxy-[a-z0-9]{10}", generated
    )  # content-hashed: a change rolls pods
    assert find("base", "ConfigMap", generated)["data"]["nginx.conf"] == conf


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "warning", str(ROOT / "Dockerfile")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_rendered_manifests_pass_strict_schema_validation(
    kustomization: str, tmp_path: Path
) -> None:
    """What `kubectl apply -k` sends, not the patch files, against the Kubernetes schema."""
    out = tmp_path / "rendered.yaml"
    out.write_text(rendered_text(kustomization))
    result = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    custom = {d["kind"] for d in render(kustomization)} - CORE_KINDS
    assert custom <= {"PodMonitor", "PrometheusRule"}  # the only kinds it has no schema for


CORE_KINDS = {
    "Namespace", "ConfigMap", "Secret", "Service", "Deployment", "StatefulSet", "Job",
    "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
}  # fmt: skip


def test_probe_paths_and_port_exist_in_the_app() -> None:
    app = create_app(
        Settings(load_on_start=False), engines=EngineRegistry({"lead": LeadSummarizer()}, "lead")
    )
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    spec = container()
    (proxy_port,) = proxy()["ports"]
    assert proxy_port["name"] == "http"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert spec[probe]["httpGet"]["path"] in routes
        assert spec[probe]["httpGet"]["port"] == proxy_port["containerPort"]  # through the proxy
    ports = {p["name"]: p["containerPort"] for p in spec["ports"]}
    assert ports["app"] == Settings().port
    assert ports["metrics"] == int(settings_of("base")["NEWSBRIEF_METRICS_PORT"])
    service = find("base", "Service")
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]  # metrics not exposed
    assert spec["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert spec["livenessProbe"]["httpGet"]["path"] == "/livez"


@pytest.mark.parametrize("kustomization", ["base", "overlays/dev", "overlays/prod"])
def test_every_env_var_is_a_real_setting_and_parses(kustomization: str) -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    env = settings_of(kustomization)
    for name in env:
        assert name.startswith(PREFIX) and name[len(PREFIX) :].lower() in fields, name
    Settings.from_env(env)  # the values parse too
    for document in render(kustomization):
        if document["kind"] == "Secret":
            secret_env = {k: "x" * 16 for k in document.get("data", {})}
            for name in secret_env:
                assert name[len(PREFIX) :].lower() in fields, name


def test_manifests_pin_the_abstractive_engine_and_dev_uses_extractive() -> None:
    assert settings_of("base")["NEWSBRIEF_ENGINE"] == "abstractive"
    assert settings_of("overlays/prod")["NEWSBRIEF_ENGINE"] == "abstractive"
    assert settings_of("overlays/dev")["NEWSBRIEF_ENGINE"] == "extractive"


@pytest.mark.parametrize("kustomization", ["base", "overlays/dev", "overlays/prod"])
def test_configs_and_secrets_are_content_hashed_so_changes_roll_pods(kustomization: str) -> None:
    names = {
        d["metadata"]["name"] for d in render(kustomization) if d["kind"] in ("ConfigMap", "Secret")
    }
    for source in container(kustomization)["envFrom"]:
        ref = (source.get("configMapRef") or source["secretRef"])["name"]
        assert ref in names or source.get("secretRef", {}).get("optional"), ref
        if ref in names:
            assert re.search(r"-[a-z0-9]{10}$", ref), ref


def test_grace_period_covers_pre_stop_and_the_drain() -> None:
    spec = pod_spec()
    pre_stop = max(c["lifecycle"]["preStop"]["sleep"]["seconds"] for c in spec["containers"])
    assert 5 <= pre_stop <= 30
    # gunicorn drains for request_timeout + 10 s (service/gunicorn_conf.py) after the preStop sleep.
    drain = int(settings_of("base")["NEWSBRIEF_REQUEST_TIMEOUT"]) + 10
    assert spec["terminationGracePeriodSeconds"] > pre_stop + drain
    security = spec["containers"][0]["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert spec["securityContext"]["runAsNonRoot"] is True


def test_pods_spread_over_zones_and_nodes() -> None:
    spread = pod_spec()["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in spread} == {
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    }
    labels = find("base", "Deployment")["spec"]["template"]["metadata"]["labels"]
    for constraint in spread:
        assert constraint["labelSelector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("kustomization", ["base", "overlays/dev", "overlays/prod"])
def test_hpa_owns_the_replica_count_and_the_pdb_lets_a_drain_proceed(kustomization: str) -> None:
    deployment = find(kustomization, "Deployment")
    hpa = find(kustomization, "HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert "replicas" not in deployment["spec"]  # applying manifests never fights the HPA
    assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"]
    pdb = find(kustomization, "PodDisruptionBudget")["spec"]
    allowed = (
        pdb["maxUnavailable"]
        if "maxUnavailable" in pdb
        else hpa["minReplicas"] - pdb["minAvailable"]
    )
    assert allowed >= 1  # at the HPA minimum a node drain or rollout still proceeds
    target = hpa["metrics"][0]["resource"]["target"]["averageUtilization"]
    assert 40 <= target <= 80
    assert "bench/README.md" in (BASE / "hpa.yaml").read_text()  # the reasoning sits beside it


def test_dev_runs_one_pod_and_the_readme_scales_the_object_that_exists() -> None:
    hpa = find("overlays/dev", "HorizontalPodAutoscaler")
    assert hpa["spec"]["minReplicas"] == 1
    readme = (ROOT / "README.md").read_text()
    assert "kubectl scale" not in readme  # it would fight the HPA
    for match in re.finditer(r"kubectl -n (\S+) patch hpa/(\S+)", readme):
        namespace, name = match.groups()
        assert name == hpa["metadata"]["name"]
        assert namespace in {
            find(k, "Namespace")["metadata"]["name"] for k in ("overlays/dev", "overlays/prod")
        }


def test_images_are_never_latest_and_carry_the_package_version() -> None:
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert version
    for kustomization in KUSTOMIZATIONS:
        for document in render(kustomization):
            pod = document.get("spec", {}).get("template", {}).get("spec", {})
            for item in pod.get("containers", []):
                image = item["image"]
                assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
                if "newsbrief" in image.rsplit("/", 1)[-1]:
                    assert image.endswith(":" + version.group(1)), image


def test_redis_component_is_durable_and_matches_the_url_the_base_expects() -> None:
    url = settings_of("overlays/prod")["NEWSBRIEF_CACHE_URL"]
    redis = find("overlays/prod", "StatefulSet", "newsbrief-redis")
    service = find("overlays/prod", "Service", "newsbrief-redis")
    assert url == f"redis://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}/0"
    args = redis["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--appendonly") + 1] == "yes"  # queued jobs outlive a Redis restart
    assert redis["spec"]["volumeClaimTemplates"]
    assert "Redis" in (BASE / "kustomization.yaml").read_text()  # the base says what it expects


def test_network_policy_admits_only_the_api_port_and_needed_egress() -> None:
    policy = find("base", "NetworkPolicy")["spec"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    assert [p["port"] for rule in policy["ingress"] for p in rule["ports"]] == ["http", "metrics"]
    egress_ports = {p["port"] for rule in policy["egress"] for p in rule["ports"]}
    assert egress_ports == {53, 6379, 443, 80}
    (public,) = [r for r in policy["egress"] if any(p["port"] == 443 for p in r["ports"])]
    blocked = set(public["to"][0]["ipBlock"]["except"])
    assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"} <= blocked
    redis_policy = find("overlays/prod", "NetworkPolicy", "newsbrief-redis")["spec"]
    assert redis_policy["egress"] == [] and len(redis_policy["ingress"]) == 1


def exported_metrics() -> set[str]:
    from prometheus_client.metrics import MetricWrapperBase

    import service.metrics as metrics

    return {
        family.name
        for value in vars(metrics).values()
        if isinstance(value, MetricWrapperBase)
        for family in value.describe()
    }


def used_metrics(expression: str) -> set[str]:
    return {m.group(0) for m in re.finditer(r"newsbrief_[a-z_]+", expression)}


def family_of(name: str) -> str:
    return re.sub(r"_(bucket|count|sum|total|created)$", "", name)


def test_alert_rules_pass_promtool_and_use_exported_metrics(tmp_path: Path) -> None:
    rule = find("overlays/prod", "PrometheusRule")
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    result = subprocess.run(
        [tool("promtool"), "check", "rules", str(rules_file)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    alerts = {r["alert"]: r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]}
    for needed in (
        "HighErrorRate",
        "SlowSummaries",
        "QueueSaturated",
        "ReadinessFlapping",
        "ModelLoadFailed",
    ):
        assert "Newsbrief" + needed in alerts
    exported = {family_of(n) for n in exported_metrics()}
    for expression in alerts.values():
        for metric in used_metrics(expression):
            assert family_of(metric) in exported, metric


def test_pod_monitor_scrapes_the_metrics_port_of_the_api_pods() -> None:
    monitor = find("overlays/prod", "PodMonitor")["spec"]
    labels = find("overlays/prod", "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert monitor["selector"]["matchLabels"].items() <= labels.items()
    assert monitor["podMetricsEndpoints"][0]["port"] == "metrics"


def test_grafana_dashboard_plots_only_exported_metrics() -> None:
    configmap = find("overlays/prod", "ConfigMap", "newsbrief-dashboard")
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    dashboard = json.loads(configmap["data"]["newsbrief.json"])
    expressions = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len(expressions) >= 10
    exported = {family_of(n) for n in exported_metrics()}
    plotted = {family_of(m) for e in expressions for m in used_metrics(e)}
    assert plotted <= exported
    assert {"newsbrief_requests", "newsbrief_request_seconds", "newsbrief_queue_depth",
            "newsbrief_jobs", "newsbrief_callback_attempts"} <= plotted  # fmt: skip


def test_kustomizations_list_files_that_exist() -> None:
    for kustomization in K8S.rglob("kustomization.yaml"):
        document = load(kustomization)
        generated = [
            f.split("=")[-1]
            for g in document.get("configMapGenerator", [])
            for f in g.get("files", []) + g.get("envs", [])
        ]
        for entry in (
            document.get("resources", [])
            + generated
            + [p["path"] for p in document.get("patches", [])]
        ):
            assert (kustomization.parent / entry).exists(), f"{kustomization}: {entry}"


def test_image_entrypoint_is_the_real_cli() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    entrypoint = re.search(r'^ENTRYPOINT \["([^"]+)"\]', dockerfile, re.M)
    assert entrypoint and entrypoint.group(1) == "newsbrief"
    assert 'newsbrief = "service.cli:main"' in (ROOT / "pyproject.toml").read_text()
    assert container()["args"][0] in main.commands  # type: ignore[attr-defined]
    assert "serve" in re.search(r"^CMD (.+)$", dockerfile, re.M).group(1)  # type: ignore[union-attr]


def test_backfill_job_is_valid_and_in_step_with_the_cli_and_the_service(tmp_path: Path) -> None:
    job = find("backfill", "Job")["spec"]  # rendered; validated with the other kustomizations
    assert job["completionMode"] == "Indexed"
    (pod,) = job["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in pod["env"]}
    assert int(env["SHARDS"]) == job["completions"]  # every item in exactly one shard
    script = (
        pod["args"][0].replace("${JOB_COMPLETION_INDEX}", "3").replace("${SHARDS}", env["SHARDS"])
    )
    argv = [part.strip('"') for part in script.split()]
    assert argv[:3] == ["exec", "newsbrief", "backfill"]
    service = find("base", "Service")
    url = argv[argv.index("--url") + 1]
    assert url == f"http://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    context = main.make_context("newsbrief", argv[2:])  # the real CLI accepts these arguments
    backfill = main.get_command(context, "backfill")
    assert backfill is not None
    archive = tmp_path / "archive.jsonl"  # the volume's file, here
    archive.write_text("")
    assert argv[3] == "/archive/archive.jsonl"
    parsed = backfill.make_context("backfill", [str(archive), *argv[4:]])
    assert parsed.params["shard"] == "3/8" and parsed.params["concurrency"] == 4
