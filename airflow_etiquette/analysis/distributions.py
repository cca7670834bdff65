"""Which distributions provide an import: the data behind ETQ606 (missing-requirement).

A DAG file may import what the scheduler has: the standard library, Airflow itself, what the
official ``apache/airflow`` image installs (``image_contents``, generated), and what the
repository's requirements.txt lists. requirements.txt names *distributions* (``PyYAML``, ``scikit-learn``); a DAG file imports
*modules* (``yaml``, ``sklearn``). This module maps the second to the first, as data kept under test,
and nothing here imports, installs or looks anything up: the answer is the same on every machine.

Every distribution name here is canonical (PEP 503: lowercase, runs of ``-_.`` as one dash), so it
compares equal to ``packaging.utils.canonicalize_name`` of a requirement's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


def canonicalize_name(name: str) -> str:
    """``packaging.utils.canonicalize_name``, with packaging loaded on first use: it loads
    logging and platform with it, a cost to every run's start-up, the ownership hook's too."""
    from packaging.utils import canonicalize_name as canonical

    return canonical(name)


# Top-level import name -> the distributions that ship it, the usual one first. Only names the
# fallback (the import name, canonicalized: ``confluent_kafka`` -> ``confluent-kafka``) gets wrong
# are here. A tuple of several lists alternatives (forks, binary builds, renamed projects), each of
# which installs the module itself; a distribution that merely depends on one does not count.
IMPORT_NAMES: Mapping[str, tuple[str, ...]] = {
    # --- configuration, serialisation, text ----------------------------------------------------
    "yaml": ("pyyaml",),
    "dotenv": ("python-dotenv",),
    "decouple": ("python-decouple",),
    "environ": ("django-environ",),
    "hydra": ("hydra-core",),
    "dateutil": ("python-dateutil",),
    "slugify": ("python-slugify",),
    "pythonjsonlogger": ("python-json-logger",),
    "rapidjson": ("python-rapidjson",),
    "mimeparse": ("python-mimeparse",),
    "multipart": ("python-multipart",),
    "attr": ("attrs",),
    "cattr": ("cattrs",),
    "past": ("future",),
    "pkg_resources": ("setuptools",),
    "magic": ("python-magic",),
    "Levenshtein": ("levenshtein", "python-levenshtein"),
    "re2": ("google-re2",),
    "snappy": ("python-snappy",),
    "avro": ("avro", "avro-python3"),
    "capnp": ("pycapnp",),
    "proto": ("proto-plus",),
    # --- documents, images, media ----------------------------------------------------------------
    "bs4": ("beautifulsoup4",),
    "PIL": ("pillow",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "skimage": ("scikit-image",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "odf": ("odfpy",),
    "fitz": ("pymupdf",),
    "pdfminer": ("pdfminer-six", "pdfminer"),
    "fpdf": ("fpdf2", "fpdf"),
    "tabula": ("tabula-py",),
    "camelot": ("camelot-py",),
    "msoffcrypto": ("msoffcrypto-tool",),
    "barcode": ("python-barcode",),
    "newspaper": ("newspaper3k",),
    "speech_recognition": ("speechrecognition",),
    "ffmpeg": ("ffmpeg-python",),
    "whisper": ("openai-whisper",),
    "wx": ("wxpython",),
    "gi": ("pygobject",),
    "cairo": ("pycairo",),
    "OpenGL": ("pyopengl",),
    "Xlib": ("python-xlib",),
    # --- science, machine learning ---------------------------------------------------------------
    "sklearn": ("scikit-learn",),
    "imblearn": ("imbalanced-learn",),
    "umap": ("umap-learn",),
    "surprise": ("scikit-surprise",),
    "autosklearn": ("auto-sklearn",),
    "janitor": ("pyjanitor",),
    "community": ("python-louvain",),
    "igraph": ("igraph", "python-igraph"),
    "Bio": ("biopython",),
    "osgeo": ("gdal",),
    "ee": ("earthengine-api",),
    "mpl_toolkits": ("matplotlib",),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "weaviate": ("weaviate-client",),
    "pinecone": ("pinecone", "pinecone-client"),
    "dspy": ("dspy", "dspy-ai"),
    "vertexai": ("google-cloud-aiplatform",),
    "sparknlp": ("spark-nlp",),
    "delta": ("delta-spark",),
    # --- databases, warehouses, queues ----------------------------------------------------------
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "MySQLdb": ("mysqlclient",),
    "pytds": ("python-tds",),
    "jpype": ("jpype1",),
    "impala": ("impyla",),
    "prestodb": ("presto-python-client",),
    "cassandra": ("cassandra-driver", "scylla-driver"),
    "bson": ("pymongo",),
    "gridfs": ("pymongo",),
    "opensearchpy": ("opensearch-py",),
    "arango": ("python-arango",),
    "gremlin_python": ("gremlinpython",),
    "rediscluster": ("redis-py-cluster",),
    "memcache": ("python-memcached",),
    "kafka": ("kafka-python", "kafka-python-ng"),
    "faust": ("faust-streaming", "faust"),
    "zmq": ("pyzmq",),
    "puresasl": ("pure-sasl",),
    "kerberos": ("pykerberos", "kerberos"),
    # dbt-core ships ``dbt``; an adapter ships ``dbt.adapters.<name>``. Before dbt 1.8 every adapter
    # required dbt-core, so a requirements.txt naming only the adapter installs ``dbt`` too; from 1.8
    # on most adapters no longer do (dbt-postgres still does), and dbt asks for both to be listed.
    "dbt": (
        "dbt-core",
        "dbt-postgres",
        "dbt-redshift",
        "dbt-snowflake",
        "dbt-bigquery",
        "dbt-databricks",
        "dbt-spark",
        "dbt-trino",
        "dbt-duckdb",
        "dbt-sqlserver",
        "dbt-fabric",
        "dbt-synapse",
        "dbt-athena-community",
        "dbt-clickhouse",
    ),
    # --- Airflow ecosystem, data tooling --------------------------------------------------------
    "cosmos": ("astronomer-cosmos",),
    "astro": ("astro-sdk-python",),
    "datahub": ("acryl-datahub",),
    "datahub_airflow_plugin": ("acryl-datahub-airflow-plugin",),
    "singer": ("singer-python",),
    "superset": ("apache-superset",),
    # --- cloud and infrastructure SDKs ----------------------------------------------------------
    "grpc": ("grpcio",),
    "grpc_status": ("grpcio-status",),
    "grpc_tools": ("grpcio-tools",),
    "grpc_health": ("grpcio-health-checking",),
    "grpc_reflection": ("grpcio-reflection",),
    "googleapiclient": ("google-api-python-client",),
    "apiclient": ("google-api-python-client",),
    "libcloud": ("apache-libcloud",),
    "openstack": ("openstacksdk",),
    "novaclient": ("python-novaclient",),
    "swiftclient": ("python-swiftclient",),
    "digitalocean": ("python-digitalocean",),
    "consul": ("python-consul", "py-consul"),
    "etcd": ("python-etcd",),
    "office365": ("office365-rest-python-client",),
    "msgraph": ("msgraph-sdk",),
    "splunklib": ("splunk-sdk",),
    # --- security, authentication ---------------------------------------------------------------
    "jwt": ("pyjwt",),
    "jose": ("python-jose",),
    "Crypto": ("pycryptodome", "pycrypto"),
    "Cryptodome": ("pycryptodomex",),
    "OpenSSL": ("pyopenssl",),
    "nacl": ("pynacl",),
    "argon2": ("argon2-cffi",),
    "jks": ("pyjks",),
    "gnupg": ("python-gnupg", "gnupg"),
    "ldap": ("python-ldap",),
    "saml2": ("pysaml2",),
    "onelogin": ("python3-saml",),
    "spnego": ("pyspnego",),
    # --- network, remote systems ----------------------------------------------------------------
    "dns": ("dnspython",),
    "websocket": ("websocket-client",),
    "socketio": ("python-socketio",),
    "engineio": ("python-engineio",),
    "smbclient": ("smbprotocol",),
    "smb": ("pysmb",),
    "nmb": ("pysmb",),
    "winrm": ("pywinrm",),
    "nmap": ("python-nmap",),
    "whois": ("python-whois", "whois"),
    "serial": ("pyserial",),
    "usb": ("pyusb",),
    "bluetooth": ("pybluez",),
    "RPi": ("rpi-gpio",),
    "suds": ("suds-community", "suds-jurko"),
    # --- developer services, chat, web ----------------------------------------------------------
    "git": ("gitpython",),
    "github": ("pygithub",),
    "gitlab": ("python-gitlab",),
    "jenkins": ("python-jenkins",),
    "atlassian": ("atlassian-python-api",),
    "trello": ("py-trello",),
    "hubspot": ("hubspot-api-client",),
    "slack": ("slackclient",),
    "telegram": ("python-telegram-bot",),
    "discord": ("discord-py",),
    "binance": ("python-binance",),
    "rest_framework": ("djangorestframework",),
    "corsheaders": ("django-cors-headers",),
    "django_filters": ("django-filter",),
    # --- Windows ---------------------------------------------------------------------------------
    "win32api": ("pywin32",),
    "win32con": ("pywin32",),
    "win32com": ("pywin32",),
    "pythoncom": ("pywin32",),
    "pywintypes": ("pywin32",),
}

# Import roots shared by many distributions (namespace packages): root -> the dotted path below the
# root -> its distributions. The longest root and then the longest path that prefix the imported
# module win. A path not listed falls back, per root, to the rule of NAMESPACE_FALLBACK_DEPTH.
NAMESPACE_PACKAGES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "google.cloud": {
        "exceptions": ("google-cloud-core",),
        "client": ("google-cloud-core",),
        "resourcemanager": ("google-cloud-resource-manager",),
        "secretmanager": ("google-cloud-secret-manager",),
        "spanner_dbapi": ("google-cloud-spanner",),
        "dataflow": ("google-cloud-dataflow-client",),
        "dataflow_v1beta3": ("google-cloud-dataflow-client",),
        "devtools.cloudbuild": ("google-cloud-build",),
        "orchestration.airflow": ("google-cloud-orchestration-airflow",),
        "sql.connector": ("cloud-sql-python-connector",),
        "alloydb.connector": ("google-cloud-alloydb-connector",),
        "alloydbconnector": ("google-cloud-alloydb-connector",),
    },
    "google": {
        "protobuf": ("protobuf",),
        "oauth2": ("google-auth",),
        "api": ("googleapis-common-protos",),
        "rpc": ("googleapis-common-protos",),
        "type": ("googleapis-common-protos",),
        "longrunning": ("googleapis-common-protos",),
        "iam": ("grpc-google-iam-v1",),
        "analytics.data": ("google-analytics-data",),
        "analytics.admin": ("google-analytics-admin",),
    },
    "azure": {
        "storage.filedatalake": ("azure-storage-file-datalake",),
        "storage.fileshare": ("azure-storage-file-share",),
        "eventhub.extensions.checkpointstoreblob": ("azure-eventhub-checkpointstoreblob",),
        "eventhub.extensions.checkpointstoreblobaio": ("azure-eventhub-checkpointstoreblob-aio",),
    },
    "azureml": {},
    "snowflake": {
        "connector": ("snowflake-connector-python",),
        "snowpark": ("snowflake-snowpark-python",),
        "sqlalchemy": ("snowflake-sqlalchemy",),
        "ml": ("snowflake-ml-python",),
        "core": ("snowflake-core", "snowflake"),
    },
    "databricks": {
        "sql": ("databricks-sql-connector",),
        "sdk": ("databricks-sdk",),
        "connect": ("databricks-connect",),
        "koalas": ("koalas",),
    },
    "mysql": {
        "connector": ("mysql-connector-python", "mysql-connector"),
    },
    "openlineage": {
        "client": ("openlineage-python",),
        "common": ("openlineage-integration-common",),
    },
    "opentelemetry": {
        "trace": ("opentelemetry-api",),
        "metrics": ("opentelemetry-api",),
        "context": ("opentelemetry-api",),
        "propagate": ("opentelemetry-api",),
        "baggage": ("opentelemetry-api",),
        "semconv": ("opentelemetry-semantic-conventions",),
        "exporter.otlp.proto.grpc": ("opentelemetry-exporter-otlp-proto-grpc", "opentelemetry-exporter-otlp"),
        "exporter.otlp.proto.http": ("opentelemetry-exporter-otlp-proto-http", "opentelemetry-exporter-otlp"),
    },
    "paho": {
        "mqtt": ("paho-mqtt",),
    },
    "ruamel": {
        "yaml": ("ruamel-yaml",),
    },
    "zope": {},
    "backports": {},
}

# The fallback for a path below a namespace root that NAMESPACE_PACKAGES does not list: the root and
# the path's first N parts, dots as dashes, with a trailing API version (``_v1``, ``_v1beta3``,
# ``_v1p1beta1``) dropped from the last part, and then the shorter prefixes. So
# ``google.cloud.bigquery.table`` -> google-cloud-bigquery, ``google.cloud.pubsub_v1`` ->
# google-cloud-pubsub, ``azure.storage.blob.aio`` -> azure-storage-blob then azure-storage,
# ``azure.identity`` -> azure-identity. The bare root (``import google.cloud``) -> the root itself.
NAMESPACE_FALLBACK_DEPTH: Mapping[str, int] = {
    "google.cloud": 1,
    "google": 1,
    "azure": 2,
    "azureml": 1,
    "snowflake": 1,
    "databricks": 1,
    "mysql": 1,
    "openlineage": 1,
    "opentelemetry": 2,
    "paho": 1,
    "ruamel": 1,
    "zope": 1,
    "backports": 1,
}

# The distributions behind ``import airflow`` (and ``airflow.sdk``): the meta-package, and from
# Airflow 3 on the core and the task SDK it depends on.
AIRFLOW_CORE: tuple[str, ...] = ("apache-airflow", "apache-airflow-core", "apache-airflow-task-sdk")

PROVIDER_PREFIX = "apache-airflow-providers-"

_API_VERSION = re.compile(r"_v\d+(?:p\d+)?(?:(?:alpha|beta)\d*)?$")


def candidate_distributions(module: str, extra: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The canonical names of the distributions that may provide ``module``, the likeliest first.

    ``module`` is absolute and dotted (``yaml``, ``sklearn.linear_model``, ``google.cloud.storage``).
    For ``from google.cloud import storage`` pass ``google.cloud.storage``: below a namespace root
    the imported name decides the distribution. ``extra`` maps import names (top-level or dotted) to
    distributions, as configured; the longest one that prefixes ``module`` wins over everything.
    Raises ValueError for a relative or malformed module name.
    """
    parts = module.split(".")
    if not all(part.isidentifier() for part in parts):
        raise ValueError(f"not an absolute module name: {module!r}")
    if extra:
        configured = _longest_prefix(parts, extra)
        if configured is not None:
            return (canonicalize_name(extra[configured]),)
    if parts[0] == "airflow":
        return _airflow(parts)
    root = _longest_prefix(parts, NAMESPACE_PACKAGES)
    if root is not None:
        return _namespaced(root, parts[root.count(".") + 1 :])
    return IMPORT_NAMES.get(parts[0], (canonicalize_name(parts[0]),))


def _longest_prefix(parts: list[str], names: Mapping[str, object]) -> str | None:
    """The longest dotted key of ``names`` that is ``parts`` or a prefix of them, by whole parts."""
    for end in range(len(parts), 0, -1):
        dotted = ".".join(parts[:end])
        if dotted in names:
            return dotted
    return None


# Provider ids of two parts (``apache.spark``, ``microsoft.azure``, ``common.sql``): below these
# the second part names the provider; below any other the first part alone does
# (``amazon.aws.hooks`` is apache-airflow-providers-amazon, ``standard.operators`` is -standard).
TWO_PART_PROVIDERS = frozenset({"apache", "atlassian", "cncf", "common", "dbt", "microsoft"})


def _airflow(parts: list[str]) -> tuple[str, ...]:
    """``airflow.providers.<a>[.<b>]...`` -> its provider distributions (ids have one or two parts),
    the likeliest first: the one a message names."""
    if len(parts) < 3 or parts[1] != "providers":
        return AIRFLOW_CORE
    one = canonicalize_name(PROVIDER_PREFIX + parts[2])
    if len(parts) == 3:
        return (one,)
    two = canonicalize_name(f"{PROVIDER_PREFIX}{parts[2]}-{parts[3]}")
    return (two, one) if parts[2] in TWO_PART_PROVIDERS else (one, two)


def _namespaced(root: str, rest: list[str]) -> tuple[str, ...]:
    """The distributions for ``root.<rest>``: listed, or by the root's fallback rule."""
    if not rest:
        return (canonicalize_name(root.replace(".", "-")),)
    listed = _longest_prefix(rest, NAMESPACE_PACKAGES[root])
    if listed is not None:
        return NAMESPACE_PACKAGES[root][listed]
    depth = min(NAMESPACE_FALLBACK_DEPTH.get(root, 1), len(rest))
    candidates: list[str] = []
    for end in range(depth, 0, -1):
        path = [*rest[: end - 1], _API_VERSION.sub("", rest[end - 1])]
        name = canonicalize_name("-".join([*root.split("."), *path]))
        if name not in candidates:
            candidates.append(name)
    return tuple(candidates)
