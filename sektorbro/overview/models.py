"""Published indicator results (aggregates only: no person ever appears here)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IndicatorRun(models.Model):
    label = models.CharField(max_length=200)
    period_from = models.DateField()
    period_to = models.DateField()
    engine = models.CharField(max_length=20, default="duckdb")
    registry_description = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label


class IndicatorValue(models.Model):
    run = models.ForeignKey(IndicatorRun, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField(max_length=60)
    period = models.CharField(max_length=30)
    stratum_type = models.CharField(max_length=20)
    stratum = models.CharField(max_length=60)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    value = models.FloatField(null=True)
    standardised_value = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["run", "stratum_type", "stratum", "indicator", "period"])]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "indicator", "period", "stratum_type", "stratum"], name="overview_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.stratum_type}={self.stratum}"
