"""deploy/Dockerfile, proven as far as it can be without Docker.

The image cannot be built here, so the test replays it: it reads the Dockerfile, copies what its
COPY instructions copy out of the build context (as .dockerignore filters it), builds the
project's wheel there with pip, installs the wheel alone into an isolated folder, lays the
runtime stage's files out under a stand-in for the image's root, and runs the image's CMD
(host and port adjusted) with the image's ENV, from an empty working directory, so the only
`dq_assets` it can import is the packaged one. The image's HEALTHCHECK then has to pass, and the
code location it serves has to hold the demo's tables, jobs, schedules, sensors and checks, read
from DQ_CONFIG_DIR. The ECS task definition and the IAM policies of deploy/README.md are checked
against dagster.prod.yaml and botocore's own API models.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import botocore.session
import dagster as dg
import pytest
import yaml
from botocore.validate import ParamValidator
from dagster._core.remote_origin import GrpcServerCodeLocationOrigin
from dagster._core.remote_representation.code_location import CodeLocation
from dagster._grpc.client import DagsterGrpcClient

from tests.conftest import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
PROD_CONFIG = DEPLOY / "dagster.prod.yaml"
DEMO_TABLES = ["customers", "order_items", "orders", "products"]
LOAD_DEADLINE_SECONDS = 60


# -- a small Dockerfile reader: logical lines, flags, ARG/ENV substitution, stages -----------------

VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
EXPANDED = {"ADD", "COPY", "ENV", "EXPOSE", "USER", "WORKDIR"}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    flags: dict[str, str]
    value: str

    def exec_form(self) -> list[str]:
        """The JSON array of CMD, ENTRYPOINT or HEALTHCHECK CMD (the shell form is refused)."""
        text = self.value.removeprefix("CMD").strip() if self.keyword == "HEALTHCHECK" else self.value
        assert text.startswith("["), f"{self.keyword} must use the exec form: {self.value}"
        return json.loads(text)


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[Instruction] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def one(self, keyword: str) -> Instruction:
        (instruction,) = self.all(keyword)
        return instruction


def expand(text: str, variables: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: variables.get(m.group(1) or m.group(2), ""), text)


def logical_lines(text: str) -> Iterator[str]:
    """Instructions with their continuation lines joined; comments dropped, as Docker drops them."""
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or not line:
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        yield current + line
        current = ""


def parse_dockerfile(text: str) -> list[Stage]:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical_lines(text):
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        flags = {}
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            name, _, value = flag[2:].partition("=")
            flags[name], rest = value, rest.strip()
        if keyword == "FROM":
            words = expand(rest, global_args).split()  # FROM image [AS name]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else ""
            stages.append(Stage(name=name, base=words[0]))
            continue
        if keyword == "ARG" and not stages:  # before the first FROM: usable in FROM lines only
            name, _, default = rest.partition("=")
            global_args[name] = default
            continue
        stage = stages[-1]
        if keyword == "ARG":
            name, _, default = rest.partition("=")
            stage.variables[name] = default or global_args.get(name, "")
        elif keyword == "ENV":
            for item in shlex.split(rest):
                name, _, value = item.partition("=")
                stage.env[name] = stage.variables[name] = expand(value, stage.variables)
        value = expand(rest, stage.variables) if keyword in EXPANDED else rest
        stage.instructions.append(Instruction(keyword, flags, value))
    return stages


# -- the build context as .dockerignore leaves it, and COPY replayed into a folder -----------------


def _pattern(text: str) -> re.Pattern[str]:
    regex = ""
    for token in re.split(r"(\*\*/|\*\*|\*|\?)", text):
        regex += {"**/": "(.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(token, re.escape(token))
    return re.compile(regex)


def dockerignore() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for raw in (REPO_ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            rules.append((negated, _pattern(os.path.normpath(line.lstrip("!").strip("/")))))
    return rules


def ignored(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent folders decides."""
    parts = Path(relative).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    verdict = False
    for negated, pattern in rules:
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            verdict = not negated
    return verdict


def replay_copy(instruction: Instruction, root: Path, workdir: str, rules: list) -> list[Path]:
    """Copy as `COPY src... dest` would from the filtered build context into `root`; returns the files."""
    *sources, dest = instruction.value.split()
    target = root / (dest if dest.startswith("/") else f"{workdir}/{dest}").lstrip("/")
    copied = []
    for source in sources:
        origin = REPO_ROOT / source
        assert origin.exists(), f"COPY {source}: not in the build context"
        assert not ignored(source.rstrip("/"), rules), f"COPY {source}: excluded by .dockerignore"
        if origin.is_dir():
            for path in sorted(origin.rglob("*")):
                relative = path.relative_to(REPO_ROOT).as_posix()
                if path.is_file() and not ignored(relative, rules):
                    copied.append(target / path.relative_to(origin))
                    copied[-1].parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, copied[-1])
        else:
            copied.append(target / origin.name if dest.endswith("/") else target)
            copied[-1].parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, copied[-1])
    return copied


def replay_stage(stage: Stage, root: Path, rules: list) -> str:
    """WORKDIR and the COPYs from the build context (not --from another stage); returns the last WORKDIR."""
    workdir = "/"
    for instruction in stage.instructions:
        if instruction.keyword == "WORKDIR":
            workdir = instruction.value
            (root / workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)
        elif instruction.keyword == "COPY" and "from" not in instruction.flags:
            assert replay_copy(instruction, root, workdir, rules), f"COPY {instruction.value} copies nothing"
    return workdir


# -- fixtures and helpers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_dockerfile((DEPLOY / "Dockerfile").read_text())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_option(argv: list[str], option: str, value: str) -> list[str]:
    index = argv.index(option)
    return [*argv[: index + 1], value, *argv[index + 2 :]]


def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False, **kwargs)  # type: ignore[call-overload]


# -- the Dockerfile itself -------------------------------------------------------------------------


def test_the_image_is_a_slim_python_build_then_a_non_root_code_server(stages: list[Stage]) -> None:
    build, runtime = stages
    assert (build.name, runtime.name) == ("build", "runtime")
    assert build.base == runtime.base == "python:3.11-slim-bookworm"
    # the build stage makes the wheel and installs it without the dev extra
    (install,) = build.all("RUN")
    assert "pip wheel --no-deps --wheel-dir /wheels ." in install.value
    assert "pip install /wheels/dq-*.whl" in install.value and "[dev]" not in install.value
    # the runtime stage takes only the installed venv from it, and runs as a user that is not root
    assert [i.value for i in runtime.all("COPY") if "from" in i.flags] == ["/opt/dq/venv /opt/dq/venv"]
    assert runtime.one("USER").value.split(":")[0] not in ("", "0", "root")
    assert runtime.env["PATH"].startswith("/opt/dq/venv/bin:")
    assert runtime.env["YDATA_PROFILING_NO_ANALYTICS"] == "True"
    assert runtime.env["GX_ANALYTICS_ENABLED"] == "False"
    copies = {i.value.split()[-1]: i.value.split()[0] for i in runtime.all("COPY")}
    assert copies[f"{runtime.env['DAGSTER_HOME']}/dagster.yaml"] == "deploy/dagster.prod.yaml"
    assert copies[f"{runtime.env['DQ_CONFIG_DIR']}/"] == "dq_checks/tables/"
    assert copies["/opt/dq/config/alerts.yaml"] == "dq_checks/alerts.yaml"  # beside DQ_CONFIG_DIR
    assert runtime.one("EXPOSE").value == "4000"
    # the EcsRunLauncher replaces the command of container `dq` with `dagster api execute_run ...`:
    # an ENTRYPOINT would be prepended to it
    assert not runtime.all("ENTRYPOINT")
    assert runtime.one("CMD").exec_form() == [
        *("dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000"),
        *("-m", "dq_assets.definitions", "--location-name", "dq"),
    ]
    health = runtime.one("HEALTHCHECK")
    assert health.exec_form() == ["dagster", "api", "grpc-health-check", "-p", "4000"]
    assert health.flags["start-period"] == "120s"


def test_dockerignore_keeps_the_checkout_out_and_what_the_image_copies_in() -> None:
    rules = dockerignore()
    left_out = [
        *(".git", ".venv/bin/python", ".dq/warehouse/catalog.db", "dq_checks/__pycache__/x.pyc"),
        *("dq.egg-info/PKG-INFO", "tests/conftest.py", ".env", "dagster.yaml", ".pyiceberg.yaml"),
    ]
    kept = [
        *("pyproject.toml", "README.md", "dq_checks/dqdl/grammar.lark", "deploy/dagster.prod.yaml"),
        "dq_resources/alerts/migrations/versions/0001_create_alert_tables.py",
    ]
    assert [path for path in left_out if not ignored(path, rules)] == []
    assert [path for path in kept if ignored(path, rules)] == []


# -- the image, replayed: wheel, ENV, CMD, HEALTHCHECK, and the code location it serves ------------


def test_the_packaged_code_location_serves_the_demo_tables(stages: list[Stage], tmp_path: Path) -> None:
    build, runtime = stages
    rules = dockerignore()

    # build stage: the wheel, from exactly the files the build stage copies
    src = tmp_path / "build"
    source_dir = src / replay_stage(build, src, rules).lstrip("/")
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip"]
    built = run([*pip, "wheel", "--no-deps", "-q", "--wheel-dir", str(wheels), "."], cwd=source_dir)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("dq-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    needed_at_run_time = {
        "dq_checks/dqdl/grammar.lark",
        "dq_checks/alerts.yaml",
        *(f"dq_checks/tables/{table}.yaml" for table in DEMO_TABLES),
        *(
            f"dq_resources/{store}/migrations/{name}"
            for store in ("alerts", "results")
            for name in ("env.py", "script.py.mako", "versions/__init__.py")
        ),
        "dq_resources/alerts/migrations/versions/0001_create_alert_tables.py",
        "dq_resources/results/migrations/versions/0001_create_results_tables.py",
    }
    assert needed_at_run_time <= names, sorted(needed_at_run_time - names)
    # the component's registry module is in; the repository's demo project is not
    assert "dq/__init__.py" in names and not [n for n in names if n.startswith("dq_demo/")]
    entry_points = zipfile.ZipFile(wheel).read("dq-0.1.0.dist-info/entry_points.txt").decode()
    assert "dq = dq_assets.cli.main:cli" in entry_points
    assert "[dagster_dg_cli.registry_modules]\ndq = dq\n" in entry_points

    # the wheel alone, without its dependencies (the test's venv has them), in an isolated folder
    site = tmp_path / "site"
    installed = run([*pip, "install", "--no-deps", "--no-compile", "-q", "--target", str(site), str(wheel)])
    assert installed.returncode == 0, installed.stderr

    # runtime stage: its files under a stand-in root, its ENV with the image's paths moved there
    image = tmp_path / "image"
    workdir = image / replay_stage(runtime, image, rules).lstrip("/")
    assert not any(workdir.iterdir())
    home = image / "home" / "dq"
    home.mkdir(parents=True)
    env = {"HOME": str(home), "LANG": "C.UTF-8", "PYTHONPATH": str(site)}
    for name, value in runtime.env.items():
        env[name] = str(image / value.lstrip("/")) if value.startswith("/") else value
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # the venv of the image
    del env["VIRTUAL_ENV"]
    assert (Path(env["DAGSTER_HOME"]) / "dagster.yaml").read_text() == PROD_CONFIG.read_text()
    config_dir = Path(env["DQ_CONFIG_DIR"])
    assert sorted(p.stem for p in config_dir.glob("*.yaml")) == DEMO_TABLES

    # nothing of the checkout is importable there: every package comes from the wheel
    probe = "import json, dq_assets, dq_checks, dq_resources as r; print(json.dumps([dq_assets.__file__, dq_checks.__file__, r.__file__]))"  # noqa: E501
    imported = run([sys.executable, "-c", probe], env=env, cwd=workdir)
    assert imported.returncode == 0, imported.stderr
    assert all(Path(path).is_relative_to(site) for path in json.loads(imported.stdout)), imported.stdout

    port = free_port()
    health = with_option(runtime.one("HEALTHCHECK").exec_form(), "-p", str(port))
    assert run(health, env=env, cwd=workdir).returncode != 0  # nothing listens yet: unhealthy
    command = with_option(with_option(runtime.one("CMD").exec_form(), "-h", "127.0.0.1"), "-p", str(port))
    log_path = tmp_path / "code-server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + LOAD_DEADLINE_SECONDS
        while run(health, env=env, cwd=workdir).returncode != 0:
            assert server.poll() is None, f"the code server exited:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"not healthy in time:\n{log_path.read_text()}"
            time.sleep(0.5)
        served = DagsterGrpcClient(port=port, host="127.0.0.1").list_repositories()
        # the run tasks' `dagster api execute_run` goes through the same entry point, found on PATH
        assert json.loads(served)["entry_point"] == ["dagster"]
        with dg.DagsterInstance.ephemeral() as instance:
            location = load_location(
                GrpcServerCodeLocationOrigin(host="127.0.0.1", port=port, location_name="dq"),
                instance,
                deadline,
            )
            with location:
                assert_demo_location(location, config_dir)
    finally:
        stop(server)


def load_location(
    origin: GrpcServerCodeLocationOrigin, instance: dg.DagsterInstance, deadline: float
) -> CodeLocation:
    """The code location, once the proxy's own code server has loaded it."""
    while True:
        try:
            return origin.create_location(instance)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def assert_demo_location(location: CodeLocation, config_dir: Path) -> None:
    """The served location holds the demo's tables and checks, and exactly what the checkout defines."""
    from dq_assets.definitions import build_definitions

    repo = location.get_repository("__repository__")
    nodes = {n.asset_key.to_user_string(): n for n in repo.get_asset_node_snaps()}
    assert sorted(nodes) == sorted(
        [f"{t}{suffix}" for t in DEMO_TABLES for suffix in ("", "_profile_report", "_rule_proposals")]
        + ["dq_alerts"]  # the alerts summary, which the check alert sensor reports
    )
    # the tables were read from DQ_CONFIG_DIR, not from the package's own copy of the demo
    for table in DEMO_TABLES:
        assert nodes[table].metadata["dq/definition"].value == str(config_dir / f"{table}.yaml")
    checks: dict[str, set[str]] = {}
    for snap in repo.get_asset_check_node_snaps():
        checks.setdefault(snap.asset_key.to_user_string(), set()).add(snap.name)
    built_ins = {"profile", "anomalies", "quality_score", "freshness", "volume", "schema", "drift"}
    assert checks["orders"] == built_ins | {
        *("order_id_is_primary_key", "customer_exists", "amount_in_range", "status_is_known"),
        *("channel_is_known", "daily_volume", "order_ts_complete", "no_negative_amounts"),
    }
    assert checks["customers"] == built_ins | {
        *("customer_id_is_primary_key", "phone_mostly_present", "email_is_valid", "email_is_unique"),
        *("country_is_known", "enough_customers"),
    }
    assert sorted(checks) == DEMO_TABLES
    assert "propose_rules" in {j.name for j in repo.get_all_jobs()}
    assert {s.name for s in repo.get_sensors()} >= {"dq_check_alert_sensor", "dq_run_failure_alert_sensor"}

    # and nothing more or less than the checkout's own Definitions over the same folder
    expected = build_definitions(config_dir).get_repository_def()
    assert sorted(j.name for j in repo.get_all_jobs()) == sorted(j.name for j in expected.get_all_jobs())
    assert sorted(s.name for s in repo.get_schedules()) == sorted(s.name for s in expected.schedule_defs)
    assert sorted(s.name for s in repo.get_sensors()) == sorted(s.name for s in expected.sensor_defs)
    assert {(k, c) for k, names in checks.items() for c in names} == {
        (key.asset_key.to_user_string(), key.name) for key in expected.asset_graph.asset_check_keys
    }


def stop(server: subprocess.Popen[bytes]) -> None:
    """The code server and the server process it spawned: their own process group, which this test made."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # the spawned server, if it outlived the proxy
        os.killpg(server.pid, signal.SIGKILL)


# -- the ECS task definition and the IAM policies of deploy/README.md ------------------------------


def test_the_task_definition_is_valid_and_runs_container_dq_with_every_instance_variable() -> None:
    task = json.loads((DEPLOY / "ecs-task-definition.json").read_text())
    ecs = botocore.session.get_session().get_service_model("ecs")
    report = ParamValidator().validate(task, ecs.operation_model("RegisterTaskDefinition").input_shape)
    assert not report.has_errors(), report.generate_report()

    prod = yaml.safe_load(PROD_CONFIG.read_text())
    (container,) = task["containerDefinitions"]
    assert container["name"] == prod["run_launcher"]["config"]["container_name"] == "dq"
    assert "command" not in container and "entryPoint" not in container  # the image's CMD, or the launcher's
    assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"

    plain = {e["name"] for e in container["environment"]}
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert not plain & set(secrets)
    needed = set(re.findall(r"\{env: (\w+)\}", PROD_CONFIG.read_text()))
    assert needed == {
        *("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_DB", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD"),
        *("DQ_LOGS_BUCKET", "DQ_ECS_TASK_DEFINITION"),
    }
    assert needed <= plain | set(secrets)
    assert {"DAGSTER_PG_PASSWORD", "DQ_RESULTS_URL", "ANTHROPIC_API_KEY"} <= set(secrets)
    assert all(arn.startswith("arn:aws:secretsmanager:") for arn in secrets.values())


PERMISSION_ONLY_ACTIONS = {
    "s3:ListBucket",  # authorizes ListObjects(V2) and HeadBucket
    "s3:ListBucketMultipartUploads",  # ListMultipartUploads
    "s3:ListMultipartUploadParts",  # ListParts
    "iam:PassRole",  # handing a role to ECS in RunTask
}
"""IAM actions that are not the name of an API operation."""


def readme_policies() -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)```", (DEPLOY / "README.md").read_text(), flags=re.DOTALL)
    documents = [json.loads(block) for block in blocks]  # every JSON block is well-formed
    return [d for d in documents if isinstance(d, dict) and "Statement" in d]


def test_every_iam_action_in_the_deploy_readme_is_a_real_operation() -> None:
    session = botocore.session.get_session()
    policies = readme_policies()
    assert len(policies) >= 8
    actions = set()
    for policy in policies:
        assert policy["Version"] == "2012-10-17"
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow" and statement["Resource"], statement
            actions.update(statement["Action"])
    for action in sorted(actions - PERMISSION_ONLY_ACTIONS):
        service, _, operation = action.partition(":")
        assert operation in session.get_service_model(service).operation_names, action
    # what the code and dagster-aws actually call, each named once at least
    assert {
        *("athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"),
        *("athena:StopQueryExecution", "athena:GetDataCatalog", "glue:GetTable"),
        *(
            "redshift-data:ExecuteStatement",
            "redshift-data:DescribeStatement",
            "redshift-data:CancelStatement",
        ),
        *("redshift-data:GetStatementResult", "redshift-data:DescribeTable"),
        *("s3:GetObject", "s3:PutObject", "s3:ListBucket", "sns:Publish"),
        *(
            "ecs:RunTask",
            "ecs:DescribeTasks",
            "ecs:StopTask",
            "ecs:DescribeTaskDefinition",
            "ecs:TagResource",
        ),
        *("iam:PassRole", "secretsmanager:GetSecretValue", "logs:GetLogEvents"),
    } <= actions
