"""A faster `to_representation` for the read serializers of the busiest lists.

DRF reads each field of each row through `Field.get_attribute` (source
walking, callable checks, exception handling) and a generator of readable
fields. On a page of 50 rows that machinery cost more than the values
themselves (docs/PERFORMANCE.md). `FastReadMixin` plans each serializer's
fields once: a field that is a plain column of the model (a concrete,
non-relational model field read under its own name, or a foreign key's id
under `PrimaryKeyRelatedField`) is read with one `getattr` and converted by
the field's own `to_representation`; every other field (methods, dotted
sources, annotations, nested serializers) goes through DRF's path unchanged.
The output is DRF's own, value for value; `tests/core/test_fast_read.py`
checks it against `Serializer.to_representation` on every serializer that
uses it.
"""

from django.core.exceptions import FieldDoesNotExist
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField
from rest_framework.settings import api_settings

# Field classes whose value is a function of the column alone (exact types only:
# a subclass may read its value differently).
_COLUMN_FIELDS = frozenset(
    {
        serializers.BooleanField,
        serializers.CharField,
        serializers.ChoiceField,
        serializers.DateField,
        serializers.DateTimeField,
        serializers.DecimalField,
        serializers.EmailField,
        serializers.IntegerField,
        serializers.UUIDField,
    }
)


def _identity(value):
    return value


def _column_reader(model, field) -> tuple[str, object] | None:
    """(attribute, converter) reading `field`'s value straight off the instance, or None.

    None sends the field through DRF's own path.
    """
    if len(field.source_attrs) != 1:
        return None
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:  # an annotation, property or method
        return None
    if not model_field.concrete:
        return None
    if type(field) is PrimaryKeyRelatedField and field.pk_field is None:
        # DRF gives the related object's pk, which is the foreign key's own column.
        return (model_field.attname, _identity) if model_field.many_to_one else None
    if model_field.is_relation or type(field) not in _COLUMN_FIELDS:
        return None
    if type(field) is serializers.DateTimeField:
        return model_field.attname, _iso_datetime(field)
    return model_field.attname, field.to_representation


def _iso_datetime(field: serializers.DateTimeField):
    """`field.to_representation` for aware datetimes, with the timezone looked up once.

    DRF asks Django for the current timezone (a context-local lookup) for every
    value; a page of aid requests has about 300 datetimes. A plan lives as long
    as its serializer, within one request, so the timezone cannot change under
    it. Anything unusual (another format, naive values, overflow) goes to
    DRF's own method.
    """
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if zone is None or output_format is None or output_format.lower() != ISO_8601:
        return field.to_representation

    def to_representation(value):
        if isinstance(value, str) or value.utcoffset() is None:
            return field.to_representation(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return to_representation


class FastReadMixin:
    """Put before `serializers.ModelSerializer` in a read serializer's bases (see module doc)."""

    def _read_plan(self) -> list[tuple]:
        plan = self.__dict__.get("_fast_read_plan")
        if plan is None:
            model = self.Meta.model
            plan = [
                (field.field_name, _column_reader(model, field), field)
                for field in self.fields.values()
                if not field.write_only
            ]
            self.__dict__["_fast_read_plan"] = plan
        return plan

    def to_representation(self, instance) -> dict:
        ret = {}
        for name, reader, field in self._read_plan():
            if reader is not None:
                value = getattr(instance, reader[0])
                ret[name] = None if value is None else reader[1](value)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret
