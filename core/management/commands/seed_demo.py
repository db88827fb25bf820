"""Build the reproducible demo world of docs/DEMO.md."""

import importlib
from random import Random

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import DemoWorld
from core.management.commands.load_reference_data import load_all_reference_data
from core.models import Agency

# Above this many clients the demo is a benchmark world: the first
# SERVICE_CLIENTS are made through the services, the rest in bulk.
BULK_ABOVE = 1000
SERVICE_CLIENTS = 200


class Command(BaseCommand):
    help = (
        "Create the demo agencies `north` and `south`, their staff and (as the apps provide) "
        "clients, cases and the rest. Reproducible for a given --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--clients", type=int, default=200, help="clients to create (default 200)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--password", default="tautoko-demo", help="password of every demo user"
        )
        parser.add_argument(
            "--bulk-above",
            type=int,
            default=BULK_ABOVE,
            help=f"above this many clients, add all but the first {SERVICE_CLIENTS} in bulk "
            f"(default {BULK_ABOVE})",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if the database already holds agencies",
        )

    def handle(self, *args, clients, seed, password, if_empty, bulk_above=BULK_ABOVE, **options):
        if clients < 0:
            self.stderr.write("--clients must not be negative")
            raise SystemExit(2)
        if Agency.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds data; demo seeding skipped.")
                return
            self.stderr.write(
                "The database already holds agencies; seed_demo runs on an empty one."
            )
            raise SystemExit(1)
        load_all_reference_data()
        bulk = 0
        if clients > bulk_above:
            # Services write history and audit rows one by one (about a third of a
            # second a client); a national-scale world adds the rest in bulk.
            service_clients = min(clients, SERVICE_CLIENTS, max(bulk_above, 0))
            bulk, clients = clients - service_clients, service_clients
        world = DemoWorld(rng=Random(seed), password=password, clients=clients, bulk_clients=bulk)
        with transaction.atomic():
            # Each app that has demo data provides `<app>.demo.seed(world)`; they run in
            # INSTALLED_APPS order, which follows the apps' one-way dependencies.
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(world)
        self.stdout.write(self.style.SUCCESS(f"Demo world created (seed {seed})."))
        if bulk:
            self.stdout.write(f"{clients} clients made through the services, {bulk} in bulk.")
        self.stdout.write(f"Demo logins (password: {password}):")
        for username in world.staff:
            self.stdout.write(f"  {username}")
