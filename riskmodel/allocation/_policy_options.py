"""One policy from the options of ``riskmodel threshold`` (exactly one must be given)."""

from __future__ import annotations

from riskmodel._errors import ConfigError
from riskmodel.allocation import _messages as msg
from riskmodel.allocation import _policies as policies


def policy_from_options(
    *,
    capacity: str | None = None,
    sensitivity: float | None = None,
    ppv: float | None = None,
    cost_reoffence: float | None = None,
    cost_intervention: float | None = None,
    effect: float | None = None,
    bands: str | None = None,
    tie_break: str = "random",
    seed: int = 0,
) -> policies.Policy:
    """The one policy the options name.

    ``capacity`` is read by :meth:`~riskmodel.allocation.Capacity.parse` (with ``seed`` and
    ``tie_break``, ``"input-order"`` or ``"input_order"``), ``bands`` by
    :meth:`~riskmodel.allocation.Bands.parse`; the expected-cost policy needs all three of
    ``cost_reoffence``, ``cost_intervention`` and ``effect``.

    Raises
    ------
    ConfigError
        No policy or more than one (:data:`ONE_POLICY`), or an incomplete expected-cost
        policy (:data:`COST_INCOMPLETE`).

    Examples
    --------
    >>> policy_from_options(ppv=0.4)
    PPVTarget(target=0.4)
    >>> policy_from_options(capacity="10%", tie_break="input-order").tie_break
    'input_order'
    """
    costs = {
        "--cost-reoffence": cost_reoffence,
        "--cost-intervention": cost_intervention,
        "--effect": effect,
    }
    cost_given = [name for name, value in costs.items() if value is not None]
    given = [capacity, sensitivity, ppv, bands, cost_given or None]
    if sum(value is not None for value in given) != 1:
        raise ConfigError(msg.ONE_POLICY)
    if capacity is not None:
        return policies.Capacity.parse(capacity, tie_break=tie_break.replace("-", "_"), seed=seed)
    if sensitivity is not None:
        return policies.SensitivityTarget(sensitivity)
    if ppv is not None:
        return policies.PPVTarget(ppv)
    if bands is not None:
        return policies.Bands.parse(bands)
    missing = [name for name in costs if name not in cost_given]
    if missing:
        raise ConfigError(msg.COST_INCOMPLETE.format(missing=", ".join(missing)))
    assert cost_reoffence is not None and cost_intervention is not None and effect is not None
    return policies.ExpectedCost(
        cost_reoffence=cost_reoffence, cost_intervention=cost_intervention, effect=effect
    )
