"""Fuzz every API operation with schemathesis against the WSGI app, signed in as demo users.

Run it against a throwaway database that `seed_demo` has filled (it writes):

    DATABASE_URL=sqlite:///var/fuzz.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:///var/fuzz.sqlite3 python manage.py seed_demo --clients 30
    DATABASE_URL=sqlite:///var/fuzz.sqlite3 python -m tests.fuzz.run_schemathesis

For every operation of the OpenAPI schema and every user (default
north-caseworker and north-officer) it generates up to `--examples` cases
twice: once with generated path ids and once with the id of a record the user
can see, so detail endpoints are fuzzed past their 404. Each response must not
be a server error (5xx) and must conform to the schema for its status code.
Prints the number of cases run and every failure; exits 1 if there was one.
"""

import argparse
import logging
import os
import sys
import time
from collections import Counter

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The fuzzer sends thousands of requests a minute as one user; throttling is not under test.
os.environ.setdefault("THROTTLE_USER", "1000000/min")
os.environ.setdefault("THROTTLE_ANON", "1000000/min")


def _setup():
    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "testserver"]


# Which list endpoint gives a real id for a path parameter.
_COLLECTION_OF_PARAM = {
    "case_id": "/api/v1/cases/",
    "whanau_id": "/api/v1/whanau/",
    "client_id": "/api/v1/clients/",
    "programme_pk": "/api/v1/programs/",
    "code": "/api/v1/instruments/",
}


def _real_path_parameters(client, path: str, params: list[str]) -> dict | None:
    """Ids of records `client` can see for the parameters of `path`, or None if there are none."""
    values = {}
    for name in params:
        if name == "weeks":
            values[name] = 4
            continue
        if name in _COLLECTION_OF_PARAM:
            collection = _COLLECTION_OF_PARAM[name]
        elif name == "member_id" and "whanau_id" in values:
            collection = f"/api/v1/whanau/{values['whanau_id']}/members/"
        elif name in ("id", "pk"):
            collection = path.split("{", 1)[0]
        else:
            return None
        response = client.get(collection, {"page_size": 1}, HTTP_HOST="localhost")
        if response.status_code != 200:
            return None
        body = response.json()
        rows = body.get("results", body) if isinstance(body, dict) else body
        if not rows:
            return None
        key = "code" if name == "code" else "id"
        values[name] = rows[0][key]
    return values


def _runner(strategy, *, headers, checks, examples, seen):
    """A Hypothesis test that calls the app with each generated case and validates the answer."""
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as hsettings

    @hsettings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        response = case.call(headers=headers)
        seen[response.status_code // 100] += 1
        case.validate_response(response, checks=checks)

    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="north-caseworker,north-officer")
    parser.add_argument("--examples", type=int, default=8, help="cases per operation and pass")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--match", default="", help="only operations whose path contains this")
    args = parser.parse_args(argv)

    _setup()
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from config.wsgi import application
    from core.models import User

    # Every refused request logs a warning; only errors matter here. (Set after the WSGI
    # module has run django.setup(), which configures logging again.)
    logging.getLogger("django.request").setLevel(logging.ERROR)

    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = application
    checks = [not_a_server_error, response_schema_conformance]

    counts, failures = Counter(), []
    started = time.monotonic()
    for username in [u.strip() for u in args.users.split(",") if u.strip()]:
        user = User.objects.get(username=username)
        token, _ = Token.objects.get_or_create(user=user)
        headers = {"Authorization": f"Token {token.key}", "Host": "localhost"}
        lister = APIClient()
        lister.force_authenticate(user=user)
        for result in schema.get_all_operations():
            operation = result.ok()
            if args.match and args.match not in operation.path:
                continue
            if operation.path.endswith("/auth/logout/"):
                continue  # would revoke the token the rest of the run signs in with
            params = [p.name for p in operation.path_parameters]
            passes = [("generated ids", None)]
            if params:
                real = _real_path_parameters(lister, operation.path, params)
                if real is not None:
                    passes.append(("real ids", real))
            for label, path_parameters in passes:
                seen = Counter()

                run = _runner(
                    operation.as_strategy(path_parameters=path_parameters),
                    headers=headers,
                    checks=checks,
                    examples=args.examples,
                    seen=seen,
                )

                try:
                    run()
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report all, go on
                    failures.append(
                        f"{operation.method.upper()} {operation.path} as {username} ({label}):\n"
                        f"{str(exc)[:1500]}"
                    )
                counts["cases"] += sum(seen.values())
                counts["operations"] += 1
                for klass, n in seen.items():
                    counts[f"{klass}xx"] += n
    elapsed = time.monotonic() - started
    print(
        f"schemathesis fuzz: {counts['cases']} cases over {counts['operations']} operation passes "
        f"({counts['2xx']} 2xx, {counts['4xx']} 4xx, {counts['5xx']} 5xx) "
        f"in {elapsed:.0f} s; {len(failures)} failing operations"
    )
    for failure in failures:
        print("-" * 72)
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
