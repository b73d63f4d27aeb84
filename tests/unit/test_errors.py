import pytest

from service.errors import EngineNotFound
from service.errors import InferenceFailed
from service.errors import InputTooLong
from service.errors import InvalidInput
from service.errors import ModelMissing
from service.errors import ModelNotReady
from service.errors import ServiceError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput, 422),
        (InputTooLong, 413),
        (EngineNotFound, 422),
        (ModelMissing, 503),
        (InferenceFailed, 500),
    ],
)
def test_errors_carry_status_and_stable_type(error: type[ServiceError], status: int) -> None:
    instance = error("detail")
    assert instance.status == status
    assert instance.type.startswith("https://")
    assert instance.detail == "detail"


def test_model_not_ready_sets_retry_after() -> None:
    assert ModelNotReady("loading", retry_after=7).headers == {"Retry-After": "7"}
