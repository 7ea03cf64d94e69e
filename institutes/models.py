"""Reference data every app uses: countries, institutes, metrology areas, users."""
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    """The portal's roles. Each is a Django group of the same name, except
    the administrator, who is a superuser."""

    RESPONDENT = "respondent", _("NMI respondent")
    SECRETARIAT = "secretariat", _("Secretariat")
    TASKGROUP = "taskgroup", _("Task-group member")
    COMMITTEE = "committee", _("Committee member")
    ADMIN = "admin", _("Administrator")


class RMO(models.TextChoices):
    AFRIMETS = "AFRIMETS", "AFRIMETS"
    APMP = "APMP", "APMP"
    COOMET = "COOMET", _("COOMET")
    EURAMET = "EURAMET", "EURAMET"
    GULFMET = "GULFMET", "GULFMET"
    SIM = "SIM", "SIM"


class CustomsUnion(models.TextChoices):
    NONE = "", _("none")
    EAEU = "EAEU", _("Eurasian Economic Union")
    EU = "EU", _("European Union")


class Country(models.Model):
    iso2 = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        help_text=_("Two-letter ISO 3166-1 code, e.g. KZ."),
    )
    name = models.CharField(_("name"), max_length=100)
    rmo = models.CharField(
        _("regional metrology organisation"),
        max_length=10,
        choices=RMO.choices,
        default=RMO.COOMET,
        help_text=_("The RMO the country's NMI belongs to first."),
    )
    coomet_member = models.BooleanField(_("COOMET member"), default=True)
    customs_union = models.CharField(
        _("customs union"), max_length=4, choices=CustomsUnion.choices, blank=True, default=""
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["iso2"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_two_capitals"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.iso2,)


class CeemsStatus(models.Model):
    """Whether a country counts as CEEMS in a given year (self-classification)."""

    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="ceems_statuses", verbose_name=_("country")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    is_ceems = models.BooleanField(_("CEEMS"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("CEEMS status")
        verbose_name_plural = _("CEEMS statuses")
        ordering = ["-year", "country__iso2"]
        constraints = [
            models.UniqueConstraint(fields=["country", "year"], name="ceems_status_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(year__gte=1990, year__lte=2100), name="ceems_status_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.year}"


class Institute(models.Model):
    class Kind(models.TextChoices):
        NMI = "NMI", _("National metrology institute")
        DI = "DI", _("Designated institute")

    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=32)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="institutes", verbose_name=_("country")
    )
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices, default=Kind.NMI)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("institute")
        verbose_name_plural = _("institutes")
        ordering = ["country__iso2", "acronym"]
        constraints = [
            models.UniqueConstraint(fields=["country", "acronym"], name="institute_acronym_per_country")
        ]

    def __str__(self) -> str:
        return self.acronym

    def get_absolute_url(self) -> str:
        return reverse("institutes:institute_detail", args=[self.pk])


class MetrologyArea(models.Model):
    """A BIPM KCDB metrology area (AUV, EM, L, M, PR, QM, RI, T, TF)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("metrology area")
        verbose_name_plural = _("metrology areas")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class SubField(models.Model):
    area = models.ForeignKey(
        MetrologyArea, on_delete=models.CASCADE, related_name="subfields", verbose_name=_("area")
    )
    code = models.CharField(
        _("code"), max_length=16, unique=True, help_text=_("Unique code, e.g. M-VOL.")
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sub-field")
        verbose_name_plural = _("sub-fields")
        ordering = ["area__position", "position", "code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using the portal. The institute is their affiliation; an NMI
    respondent answers questionnaires for that institute only."""

    institute = models.ForeignKey(
        Institute,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("institute"),
        help_text=_("Affiliation. Required for NMI respondents."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    # Who changed a person's affiliation, roles (groups) or status, and when.
    # The password hash and the last login are not history.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # A login only stamps last_login: not a change anybody made to the person.
        if set(kwargs.get("update_fields") or ["*"]) <= {"last_login"}:
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, **kwargs)

    @cached_property
    def roles(self) -> frozenset[str]:
        """Role values this user holds; one query, cached for the request."""
        if not self.is_authenticated or not self.is_active:
            return frozenset()
        # The user of a request comes with their group names
        # (institutes.backends); any other user asks with one plain query.
        names = getattr(self, "group_names", None)
        if names is None:
            from .selectors import group_names

            names = self.group_names = frozenset(group_names(user_id=self.pk))
        held = {role for role in Role.values if role in names}
        # Roles other apps give from their own rows (institutes.selectors.ROLE_SOURCES).
        from .selectors import ROLE_SOURCES

        held.update(role for name, (role, _condition) in ROLE_SOURCES.items() if f"source:{name}" in names)
        if self.is_superuser:
            held.add(Role.ADMIN)
        return frozenset(held)

    @property
    def role_sources(self) -> frozenset[str]:
        """The names of the role sources (institutes.selectors.ROLE_SOURCES)
        that give this user a role now, e.g. "taskgroup.membership"."""
        if not self.is_authenticated or not self.is_active:
            return frozenset()
        self.roles  # noqa: B018 - loads group_names when the request did not
        names = self.group_names
        return frozenset(name.removeprefix("source:") for name in names if name.startswith("source:"))

    def has_role(self, *roles: str) -> bool:
        """True if the user holds any of `roles`; administrators hold every role."""
        return Role.ADMIN in self.roles or any(role in self.roles for role in roles)

    def has_perm(self, perm: str, obj=None) -> bool:
        """A permission the portal's rules define (institutes.permissions,
        surveys.permissions, ...) is answered by the rule alone, superusers
        included: Django would otherwise say yes to a superuser for anything,
        and the admin and the pages would disagree with the rule."""
        import rules

        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)


class Session(AbstractBaseSession):
    """Django's database session with one column more: the user it is logged
    in as, copied from the session's data when it is saved. The session
    store reads a session and its user in one statement through it
    (institutes.sessions); the session's data stays what authentication
    trusts. Deleting a user deletes their sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta(AbstractBaseSession.Meta):
        db_table = "institutes_session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
