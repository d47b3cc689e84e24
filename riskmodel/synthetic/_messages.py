"""Messages of ``riskmodel.synthetic`` (raised or printed); tests import and match them."""

from __future__ import annotations

#: Error messages (tests import and match them).
BAD_N_PEOPLE = "n_people must be a whole number of at least 1 (got {value!r})"

BAD_SEED = "seed must be a whole number >= 0 (got {value!r})"


BAD_ETHNICITY_BIAS = "ethnicity_bias must be a number >= 0 (got {value!r})"

BAD_PROGRAMME = "the programme's {name} must be a number {interval} (got {value!r})"
