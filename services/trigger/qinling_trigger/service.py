"""The trigger service. It owns the jobs, webhooks and event_triggers tables (later issues);
today it answers ``ping`` and keeps its database migrated."""
from qinling_shared.database import Database
from qinling_shared.ping import Pingable


class TriggerService(Pingable):
    name = "trigger"

    db = Database("qinling_trigger")
