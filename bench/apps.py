from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks and their data generator (``manage.py generate_bench_data``). Installed
    in development and test settings, never in production (there only with
    ``EXTRA_APPS=bench``, on a database made for it). No models."""

    name = "bench"
    verbose_name = "Benchmarks"
