"""The base of every request body schema."""
from marshmallow import EXCLUDE, Schema, post_load


class RequestSchema(Schema):
    """A JSON request body: unknown fields are dropped, and so are null ones (Qinling treats
    ``null`` as "not given"). ``service_required`` names the fields the owning service
    requires (with Qinling's ``Required param is missing`` message): the document marks
    them required, the gateway does not check them. ``null_resets`` names the fields whose
    ``null`` is passed on instead (the owning service reads it as "back to the default")."""

    service_required = ()
    null_resets = ()

    class Meta:
        unknown = EXCLUDE

    @post_load
    def drop_nulls(self, data, **kwargs):
        return {name: value for name, value in data.items()
                if value is not None or name in self.null_resets}
