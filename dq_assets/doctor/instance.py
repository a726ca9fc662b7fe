"""The Dagster instance: `dagster.yaml` itself, its storage, its compute logs and its run launcher.

Each part is checked the way the deployment will use it, without building the instance: the
storage by connecting with the same URL dagster-postgres builds, the logs bucket by writing an
object under the configured prefix, the ECS task definition by describing it. Every
`{env: NAME}` a part reads must be set, and an unset one is named with its place in the file.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from dq_assets.doctor.context import DoctorContext
from dq_assets.doctor.envrefs import EnvRef, env_name, export_hint, resolve, unset
from dq_assets.doctor.instance_config import LEGACY_STORAGE_KEYS, InstanceConfig, InstanceConfigError
from dq_assets.doctor.model import Finding, error, ok, skipped, warn
from dq_assets.doctor.postgres import CONNECT_TIMEOUT_SECONDS, PgTarget, classify, one_line
from dq_assets.doctor.s3probe import CREDENTIALS_FIX, aws_client, error_code, probe_prefix, transport_fix
from dq_resources.source_contract import redact

INSTANCE = "dagster instance"
STORAGE = "dagster storage"
COMPUTE_LOGS = "compute logs"
RUN_LAUNCHER = "run launcher"
PROD_CONFIG_HINT = "copy deploy/dagster.prod.yaml to $DAGSTER_HOME/dagster.yaml"
SECTIONS = ("storage", *LEGACY_STORAGE_KEYS, "compute_logs", "run_launcher")
"""The parts checked on their own; an unset variable anywhere else is the instance check's finding."""


def check_instance(context: DoctorContext) -> list[Finding]:
    """DAGSTER_HOME is set, its dagster.yaml parses and validates against Dagster's own schema."""
    if context.home is None:
        return [
            warn(
                INSTANCE,
                "DAGSTER_HOME is unset: `dq run` uses an ephemeral instance (no history, no alerts, no UI)",
                f"export DAGSTER_HOME=<a folder>; for production {PROD_CONFIG_HINT}",
            )
        ]
    if not context.home.is_dir():
        return [
            error(
                INSTANCE,
                f"DAGSTER_HOME={context.home} is not a folder",
                f"mkdir -p {context.home}, or point DAGSTER_HOME at the instance's folder",
            )
        ]
    try:
        instance = _instance(context)
    except InstanceConfigError as raised:
        return [error(INSTANCE, str(raised), f"correct {context.home}/dagster.yaml (a YAML mapping)")]
    if not instance.exists:
        return [
            ok(
                INSTANCE,
                f"no dagster.yaml in {instance.home}: Dagster's defaults (sqlite storage and logs under it, "
                "runs in local processes)",
            )
        ]
    elsewhere = [ref for ref in unset(instance.document) if ref.where.split(".")[0] not in SECTIONS]
    if elsewhere:
        return [
            error(
                INSTANCE,
                f"{instance.path}: " + "; ".join(f"{ref.name} ({ref.where}) is not set" for ref in elsewhere),
                export_hint(elsewhere),
            )
        ]
    if unset(instance.document):
        return [ok(INSTANCE, f"{instance.path} read; validated once every variable it names is set")]
    problems = _schema_problems(instance)
    if problems:
        return [
            error(
                INSTANCE,
                f"{instance.path} does not validate: {problems[0]}",
                "correct the file; Dagster's instance configuration reference lists every key",
                notes=problems[1:],
            )
        ]
    return [ok(INSTANCE, f"{instance.path} is valid: {_summary(instance)}")]


def check_storage(context: DoctorContext) -> list[Finding]:
    """Postgres storage: every variable set, the server reachable, the login and the database right."""
    instance = _readable(context, STORAGE, "ephemeral in-memory storage")
    if isinstance(instance, Finding):
        return [instance]
    postgres = _postgres_section(instance)
    if postgres is not None:
        where, section = postgres
        return [_check_postgres(where, section)]
    storage = instance.document.get("storage")
    kind = next(iter(storage)) if isinstance(storage, dict) and storage else None
    if kind in ("mysql", "custom") or any(k in instance.document for k in LEGACY_STORAGE_KEYS):
        return [skipped(STORAGE, f"{kind or 'custom'} storage is not checked by dq doctor")]
    configured = storage.get("sqlite") if isinstance(storage, dict) else None
    base = configured.get("base_dir") if isinstance(configured, dict) else None
    detail = f"sqlite files under {base if isinstance(base, str) else instance.home}"
    if instance.uses_ecs:
        return [
            warn(
                STORAGE,
                f"{detail}, but runs are launched on ECS: each task would write to its own disk",
                f"use Postgres storage ({PROD_CONFIG_HINT}) so the daemon, the UI and the tasks share it",
            )
        ]
    return [ok(STORAGE, f"{detail} (local to this machine)")]


def check_compute_logs(context: DoctorContext) -> list[Finding]:
    """Step logs on S3: the bucket variable set, the bucket there, and writable under the prefix."""
    instance = _readable(context, COMPUTE_LOGS, "step logs stay in a temporary folder")
    if isinstance(instance, Finding):
        return [instance]
    section = instance.section("compute_logs")
    if section is None or section.is_(
        "dagster._core.storage.local_compute_log_manager", "LocalComputeLogManager"
    ):
        base = (section.config.get("base_dir") if section else None) or f"{instance.home}/storage"
        if instance.uses_ecs:
            return [
                warn(
                    COMPUTE_LOGS,
                    f"local files under {base}, but runs are launched on ECS: "
                    "the UI cannot show their step logs",
                    f"use the S3ComputeLogManager with DQ_LOGS_BUCKET ({PROD_CONFIG_HINT})",
                )
            ]
        return [ok(COMPUTE_LOGS, f"local files under {base}")]
    if not section.is_("dagster_aws.s3", "S3ComputeLogManager"):
        return [skipped(COMPUTE_LOGS, f"{section.class_name} is not checked by dq doctor")]
    missing = unset(section.config, "compute_logs.config")
    if missing:
        return [_unset_finding(COMPUTE_LOGS, missing, "the name of an existing S3 bucket for step logs")]
    config = resolve(section.config, "compute_logs.config")
    bucket_from = env_name(section.config.get("bucket")) or "compute_logs.config.bucket in dagster.yaml"
    return [
        probe_prefix(
            COMPUTE_LOGS,
            str(config["bucket"]),
            str(config.get("prefix", "dagster")),
            bucket_from=bucket_from,
            writer="the daemon's and the run tasks' role",
            endpoint_url=config.get("endpoint_url") or None,
            region=config.get("region") or None,
        )
    ]


def check_run_launcher(context: DoctorContext) -> list[Finding]:
    """The ECS run launcher: its task definition variable set, and the definition there with its container."""
    instance = _readable(context, RUN_LAUNCHER, "`dq run` runs in this process")
    if isinstance(instance, Finding):
        return [instance]
    section = instance.section("run_launcher")
    if section is None or section.class_name == "DefaultRunLauncher":
        return [ok(RUN_LAUNCHER, "runs in local processes beside the daemon (DefaultRunLauncher)")]
    if not section.is_("dagster_aws.ecs", "EcsRunLauncher"):
        return [skipped(RUN_LAUNCHER, f"{section.class_name} is not checked by dq doctor")]
    node = section.config.get("task_definition")
    variable = env_name(node)
    if variable is not None and variable not in os.environ:
        ref = EnvRef("run_launcher.config.task_definition", variable)
        return [
            _unset_finding(RUN_LAUNCHER, [ref], "the family:revision or ARN of the runs' task definition")
        ]
    if node is None or (isinstance(node, dict) and variable is None):
        return [ok(RUN_LAUNCHER, "EcsRunLauncher registers its task definition from its own config")]
    task_definition = str(resolve(node, "run_launcher.config.task_definition"))
    container = str(section.config.get("container_name", "run"))
    return [_describe_task_definition(task_definition, container, variable)]


# --- storage ---------------------------------------------------------------------------------------


def _postgres_section(instance: InstanceConfig) -> tuple[str, dict[str, Any]] | None:
    """(place in the file, config) of Postgres storage: `storage.postgres`, or a legacy run storage."""
    storage = instance.document.get("storage")
    if isinstance(storage, dict) and isinstance(storage.get("postgres"), dict):
        return "storage.postgres", storage["postgres"]
    for key in LEGACY_STORAGE_KEYS:
        section = instance.section(key)
        if section is not None and section.module.startswith("dagster_postgres"):
            return f"{key}.config", section.config
    return None


def _check_postgres(where: str, section: dict[str, Any]) -> Finding:
    import psycopg2
    from dagster_postgres.utils import pg_url_from_config

    missing = unset(section, where)
    if missing:
        return _unset_finding(STORAGE, missing, "the connection settings of Dagster's Postgres storage")
    target = _pg_target(where, section)
    url = pg_url_from_config(resolve(section, where))
    shown = f"postgresql://{target.user}@{target.host}:{target.port}/{target.database}"
    try:
        connection = psycopg2.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg2.Error as raised:
        message = one_line(str(raised))
        failure = classify(message)
        return error(STORAGE, f"{shown}: {failure.value}: {redact(message)}", target.fix(failure))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = str(cursor.fetchone()[0]).split()[0]
            cursor.execute("SELECT to_regclass('runs') IS NOT NULL")
            has_tables = bool(cursor.fetchone()[0])
    finally:
        connection.close()
    tables = "Dagster's tables present" if has_tables else "empty: Dagster creates its tables on first start"
    return ok(STORAGE, f"{shown}: reachable (PostgreSQL {version}); {tables}")


def _pg_target(where: str, section: dict[str, Any]) -> PgTarget:
    """The connection's parts, each with the variable (or the place in dagster.yaml) that sets it."""
    if "postgres_url" in section:
        raw = section["postgres_url"]
        url = str(resolve(raw, f"{where}.postgres_url"))
        return PgTarget.from_url(url, env_name(raw) or f"{where}.postgres_url in dagster.yaml")
    db = section.get("postgres_db") if isinstance(section.get("postgres_db"), dict) else {}
    resolved = resolve(db, f"{where}.postgres_db")

    def origin(key: str) -> str:
        return env_name(db.get(key)) or f"{where}.postgres_db.{key} in dagster.yaml"

    return PgTarget(
        host=str(resolved.get("hostname", "")),
        port=str(resolved.get("port", 5432)),
        user=str(resolved.get("username", "")),
        database=str(resolved.get("db_name", "")),
        host_from=origin("hostname"),
        port_from=origin("port"),
        user_from=origin("username"),
        password_from=origin("password"),
        database_from=origin("db_name"),
    )


# --- run launcher ----------------------------------------------------------------------------------


def _describe_task_definition(task_definition: str, container: str, variable: str | None) -> Finding:
    """Describe it on ECS; a definition ECS does not have is an error, an ECS we cannot ask is a warning."""
    setting = variable or "run_launcher.config.task_definition"
    endpoint = "ECS"
    try:
        client = aws_client("ecs")
        endpoint = client.meta.endpoint_url
        described = client.describe_task_definition(taskDefinition=task_definition)["taskDefinition"]
    except Exception as raised:  # botocore's ClientError, connection and credential errors
        code = error_code(raised)
        message = " ".join(str(raised).split())
        if code == "ClientException" and "unable to describe" in message.lower():
            return error(
                RUN_LAUNCHER,
                f"{setting}={task_definition}: ECS has no such task definition",
                f"register it (aws ecs register-task-definition) or set {setting} to an existing "
                "family:revision or ARN (aws ecs list-task-definitions)",
            )
        if code in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
            fix = (
                "grant ecs:DescribeTaskDefinition to check it from here; the daemon itself needs "
                "ecs:RunTask, ecs:DescribeTasks, ecs:StopTask, ecs:DescribeTaskDefinition and "
                "iam:PassRole on the task roles"
            )
        else:
            fix = transport_fix(raised, endpoint) or CREDENTIALS_FIX
        return warn(
            RUN_LAUNCHER,
            f"{setting}={task_definition} is set, but ECS could not confirm it: "
            f"{type(raised).__name__}: {message}",
            fix,
        )
    names = [c.get("name") for c in described.get("containerDefinitions", [])]
    label = f"{described.get('family')}:{described.get('revision')}"
    if container not in names:
        return error(
            RUN_LAUNCHER,
            f"task definition {label} has no container {container!r} (it has {', '.join(map(str, names))})",
            f"set run_launcher.config.container_name to one of them, or name the container {container!r}",
        )
    compatibilities = ", ".join(described.get("requiresCompatibilities") or ["EC2"])
    return ok(
        RUN_LAUNCHER, f"EcsRunLauncher: task definition {label} ({compatibilities}), container {container!r}"
    )


# --- shared ----------------------------------------------------------------------------------------


def _instance(context: DoctorContext) -> InstanceConfig:
    instance = context.instance
    if instance is None:  # callers have handled an unset DAGSTER_HOME already
        raise RuntimeError("DAGSTER_HOME is unset")
    return instance


def _readable(context: DoctorContext, check: str, without: str) -> InstanceConfig | Finding:
    """The instance's file, or the finding that says why this part cannot be checked."""
    if context.home is None:
        return skipped(check, f"no DAGSTER_HOME: {without}")
    if not context.home.is_dir():
        return skipped(check, "DAGSTER_HOME is not a folder (see dagster instance)")
    try:
        return _instance(context)
    except InstanceConfigError:
        return skipped(check, "dagster.yaml cannot be read (see dagster instance)")


def _unset_finding(check: str, missing: list[EnvRef], value: str) -> Finding:
    names = ", ".join(f"{ref.name} ({ref.where})" for ref in missing)
    verb = "is" if len(missing) == 1 else "are"
    return error(check, f"{names} {verb} not set", f"{export_hint(missing)}: {value}")


def _schema_problems(instance: InstanceConfig) -> list[str]:
    """What Dagster itself says about the file and each configurable part, as one line per problem."""
    from dagster._config import process_config, resolve_to_config_type
    from dagster._core.errors import DagsterInvalidConfigError
    from dagster._core.instance.config import dagster_instance_config

    problems: list[str] = []
    try:
        dagster_instance_config(str(instance.home))
    except DagsterInvalidConfigError as raised:
        problems += [_short(m) for m in raised.error_messages] or [_short(str(raised))]
    for key in ("storage", *LEGACY_STORAGE_KEYS, "compute_logs", "run_launcher", "run_coordinator"):
        section = instance.section(key)
        if section is None:
            continue
        try:
            klass = getattr(importlib.import_module(section.module), section.class_name)
        except (ImportError, AttributeError) as raised:
            problems.append(f"{key}: cannot load {section.module}.{section.class_name}: {raised}")
            continue
        result = process_config(resolve_to_config_type(klass.config_type()), section.config)
        if not result.success:
            problems += [f"{key}.config: {_short(e.message)}" for e in result.errors]
    return problems


def _short(message: str) -> str:
    """Dagster's message on one line, without the whole expected schema it appends."""
    return " ".join(message.split()).split(" Expected: ")[0]


def _summary(instance: InstanceConfig) -> str:
    storage = instance.document.get("storage")
    kind = next(iter(storage)) if isinstance(storage, dict) and storage else "sqlite (default)"
    parts = [f"{kind} storage"]
    for key, label in (
        ("compute_logs", "logs"),
        ("run_launcher", "launcher"),
        ("run_coordinator", "coordinator"),
    ):
        section = instance.section(key)
        if section is not None:
            parts.append(f"{label} {section.class_name}")
    return ", ".join(parts)
