from django.contrib import admin

from sektorbro.organisations.models import Cluster, Municipality, OrganisationAlias, OrganisationUnit


class AliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 0
    fk_name = "cluster"


class UnitAliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 0
    fk_name = "unit"


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "valid_from", "valid_to"]
    inlines = [AliasInline]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "cluster", "valid_from", "valid_to"]
    list_filter = ["cluster"]
    search_fields = ["code", "name"]


@admin.register(OrganisationUnit)
class OrganisationUnitAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "cluster",
        "municipality",
        "sor_code",
        "location_number",
        "identifiers_are_demo",
    ]
    list_filter = ["kind", "cluster", "area", "department_type", "municipal_service", "identifiers_are_demo"]
    search_fields = ["name", "key", "sor_code", "location_number"]
    autocomplete_fields = ["parent"]
    inlines = [UnitAliasInline]
