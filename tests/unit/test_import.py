import subprocess
import sys


def test_import_service_does_not_import_torch() -> None:
    code = "import sys, service; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_app_with_rule_engines_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from service import create_app\n"
        "from service.engines import EngineRegistry\n"
        "from service.engines.lead import LeadSummarizer\n"
        "from service.settings import Settings\n"
        "s = Settings(load_on_start=False)\n"
        "create_app(s, engines=EngineRegistry({'lead': LeadSummarizer()}, 'lead'))\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")


def test_default_server_without_seq2seq_weights_does_not_import_torch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The embedded default on a fresh machine: every engine built and loaded, the
    # abstractive one reporting its missing weights with the command that fetches them.
    code = (
        "import sys\n"
        "from service.engines import EngineRegistry\n"
        "from service.settings import Settings\n"
        f"registry = EngineRegistry.from_settings(Settings(model_dir={str(tmp_path)!r}))\n"
        "registry.load_all()\n"
        "about = {e['name']: e for e in registry.describe()}\n"
        "print(registry.default, about['extractive']['ready'], about['abstractive']['ready'])\n"
        "print('models fetch' in about['abstractive']['error'], 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-5:] == ["extractive", "True", "False", "True", "False"]
