"""Real OpenStack notifications for tests: oslo.messaging's ``Notifier`` (driver
``messagingv2``, as Nova, Cinder, Glance and Neutron configure it) publishing on a RabbitMQ
exchange, one transport per (broker, exchange) kept open."""
import functools
import urllib.parse

import oslo_messaging
from oslo_config import cfg
from oslo_context import context as oslo_context


def rabbit_url(amqp_uri):
    """``amqp://...`` (kombu's) as oslo.messaging's ``rabbit://``."""
    return urllib.parse.urlsplit(amqp_uri)._replace(scheme="rabbit").geturl()


@functools.lru_cache(maxsize=None)
def transport(amqp_uri, exchange):
    """A notification transport whose control exchange is ``exchange`` (Nova's ``nova``,
    Glance's ``glance``, Cinder's ``openstack`` by default...)."""
    conf = cfg.ConfigOpts()
    conf([], project="qinling-tests")
    oslo_messaging.set_transport_defaults(exchange)   # the default of control_exchange
    transport = oslo_messaging.get_notification_transport(conf, url=rabbit_url(amqp_uri))
    conf.set_override("control_exchange", exchange)
    return transport


def notifier(amqp_uri, exchange, publisher_id, topics=("notifications",), driver="messagingv2"):
    return oslo_messaging.Notifier(transport(amqp_uri, exchange), publisher_id=publisher_id,
                                   driver=driver, topics=list(topics))


def publish(amqp_uri, exchange, event_type, payload, context=None, publisher_id="test.host",
            topics=("notifications",), priority="info", driver="messagingv2"):
    """Publish one notification as an OpenStack service does; ``context`` (a dict of
    ``RequestContext`` fields: project_id, user_id...) travels as ``_context_<key>``
    fields; without one the message has no context, as Glance's."""
    sender = notifier(amqp_uri, exchange, publisher_id, topics, driver)
    request_context = oslo_context.RequestContext(**context) if context else None
    getattr(sender, priority)(request_context, event_type, payload)
