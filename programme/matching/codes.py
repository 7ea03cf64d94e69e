"""The codes of every reason the engine gives, in one place.

A reason is a code and its values (`data.Reason`); the portal renders it in
Russian or English. The engine holds no translated text: a new code here
needs a sentence in the portal's renderer, and tests/programme checks that
every code the engine can emit is listed in ALL.
"""

# --- Why a proposal scores what it scores (each carries its `points`) -------
# The need and the offer are of the same activity type (and area where the
# type has one): every proposal has it, so serving a need always pays.
COMPATIBLE = "compatible"
# Both name the same sub-field of the same area.
SAME_SUBFIELD = "same_subfield"
# The same area, but the sub-fields differ or one of the two names none.
SAME_AREA = "same_area"
# Neither names an area (types where the area is optional: a general
# seminar, a prereview): "general" is an area of its own.
GENERAL = "general"
# Different areas: never proposed, only seen on a pair the Secretariat
# accepted before one of the two changed.
OTHER_AREA = "other_area"
# The need's priority (high, medium, low; none when a draft left it blank).
PRIORITY = "priority"
# How much of the need's wanted period the offer's period covers.
PERIOD_COVERED = "period_covered"
SHARED_LANGUAGE = "shared_language"
NO_SHARED_LANGUAGE = "no_shared_language"
# Provider and recipient in one customs union (only for the types whose
# standards or instruments cross the border), or not.
SAME_CUSTOMS_UNION = "same_customs_union"
DIFFERENT_CUSTOMS_UNIONS = "different_customs_unions"
# The offer's conditions: free, cost-sharing, contract (or not said).
CONDITIONS = "conditions"
# Who pays customs and logistics: the provider, shared, the recipient.
CUSTOMS_PAID_BY = "customs_paid_by"

SCORE_CODES = (
    COMPATIBLE, SAME_SUBFIELD, SAME_AREA, GENERAL, OTHER_AREA, PRIORITY, PERIOD_COVERED, SHARED_LANGUAGE,
    NO_SHARED_LANGUAGE, SAME_CUSTOMS_UNION, DIFFERENT_CUSTOMS_UNIONS, CONDITIONS, CUSTOMS_PAID_BY,
)

# --- Why a need was left unmatched (checked in this order) ------------------
# No offer of the need's activity type in its area (from anybody).
NO_OFFER_OF_TYPE_IN_AREA = "no_offer_of_type_in_area"
# Offers of that type and area exist, but only from the need's own country
# (or its own institute).
ONLY_OWN_COUNTRY = "only_own_country"
# Offers from other countries exist, but none overlaps the wanted period.
NO_OFFER_IN_PERIOD = "no_offer_in_period"
# Every offer that fits was rejected for this need by the Secretariat.
PAIRS_REJECTED = "pairs_rejected"
# Offers fit, but they are at capacity with needs that scored as well or
# better in the optimum; values name the offers and the needs that took them.
CAPACITY_TAKEN = "capacity_taken"

UNMATCHED_CODES = (NO_OFFER_OF_TYPE_IN_AREA, ONLY_OWN_COUNTRY, NO_OFFER_IN_PERIOD, PAIRS_REJECTED, CAPACITY_TAKEN)

# --- Why an offer is unsolicited (no need the rules let it serve) -----------
NO_NEED_OF_TYPE_IN_AREA = "no_need_of_type_in_area"
NEEDS_ONLY_FROM_OWN_COUNTRY = "needs_only_from_own_country"
NO_NEED_IN_PERIOD = "no_need_in_period"

UNSOLICITED_CODES = (NO_NEED_OF_TYPE_IN_AREA, NEEDS_ONLY_FROM_OWN_COUNTRY, NO_NEED_IN_PERIOD)

# --- Why a need or an offer was not considered at all (missing data) --------
MISSING_ACTIVITY_TYPE = "missing_activity_type"
UNKNOWN_ACTIVITY_TYPE = "unknown_activity_type"
# The type requires an area (comparison, calibration...) and none is given.
MISSING_AREA = "missing_area"
MISSING_COUNTRY = "missing_country"
MISSING_PERIOD = "missing_period"
PERIOD_REVERSED = "period_reversed"
# An offer without a capacity, or with a capacity of zero.
MISSING_CAPACITY = "missing_capacity"

NOT_CONSIDERED_CODES = (
    MISSING_ACTIVITY_TYPE, UNKNOWN_ACTIVITY_TYPE, MISSING_AREA, MISSING_COUNTRY, MISSING_PERIOD,
    PERIOD_REVERSED, MISSING_CAPACITY,
)

ALL = SCORE_CODES + UNMATCHED_CODES + UNSOLICITED_CODES + NOT_CONSIDERED_CODES
