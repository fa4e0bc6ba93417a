"""Twilio's Messaging webhook: verify the signature, hand the message to intake, answer TwiML."""

from flask import Blueprint, abort, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from feedback.domain.attachments import MAX_MEDIA_ITEMS
from feedback.domain.channels import Channel
from feedback.domain.inbound import InboundMedia, InboundMessage, UnusableMessage
from feedback.extensions import csrf
from feedback.models import row_id
from feedback.services.intake import receive_message
from feedback.services.outbox import record_delivery
from feedback.sms import android, kannel
from feedback.sms.signature import is_signed_by_twilio, signed_url, webhook_token
from feedback.web.input_guard import cleans_its_input

bp = Blueprint("sms", __name__, url_prefix="/sms")


@bp.before_request
def refuse_oversized_requests():
    if (request.content_length or 0) > current_app.config["SMS_MAX_REQUEST_BYTES"]:
        abort(413)


@bp.errorhandler(UnusableMessage)
def unusable_message(error: UnusableMessage):
    """An authenticated request that carries no message we could store or answer."""
    return str(error), 400, {"Content-Type": "text/plain; charset=utf-8"}


def _require_twilio_signature() -> None:
    token = webhook_token(current_app.config)
    url = signed_url(current_app.config["PUBLIC_BASE_URL"], request.url, request.full_path)
    if not is_signed_by_twilio(token, url, request.form, request.headers.get("X-Twilio-Signature")):
        abort(403)


@bp.post("/inbound")
@csrf.exempt  # authenticated by Twilio's signature instead
@cleans_its_input  # InboundMessage cleans every field
def inbound():
    _require_twilio_signature()
    form = request.form
    if not form.get("MessageSid") or not form.get("From"):
        abort(400)
    sender = form["From"]
    message = InboundMessage(
        channel=Channel.WHATSAPP if sender.startswith("whatsapp:") else Channel.SMS,
        message_id=form["MessageSid"],
        sender=sender,
        recipient=form.get("To", ""),
        text=form.get("Body", ""),
        lat=_float(form.get("Latitude")),
        lon=_float(form.get("Longitude")),
        sender_name=form.get("ProfileName"),
        raw=form.to_dict(),
        media=_media(form),
    )
    reply = receive_message(message, current_app.config["SMS_MAX_BODY"])
    twiml = MessagingResponse()
    if reply.text:  # an empty answer (past the flood limit): Twilio sends nothing
        twiml.message(reply.text)
    return str(twiml), 200, {"Content-Type": "text/xml; charset=utf-8"}


def _media(form) -> tuple[InboundMedia, ...]:
    """WhatsApp's photos and voice notes: NumMedia items as MediaUrlN and MediaContentTypeN,
    fetched later by the worker (feedback.services.attachments), never here."""
    count = form.get("NumMedia", type=int) or 0
    found = []
    for number in range(min(max(count, 0), MAX_MEDIA_ITEMS)):
        url = form.get(f"MediaUrl{number}", "")
        if url:
            found.append(InboundMedia(url, form.get(f"MediaContentType{number}", "")))
    return tuple(found)


def _float(value: str | None) -> float | None:
    """A number, if it is one; InboundMessage decides whether it makes a pin."""
    try:
        return float(value) if value else None
    except ValueError:
        return None


@bp.post("/status")
@csrf.exempt  # authenticated by Twilio's signature instead
def status():
    """Twilio's status callback for an outbound message: delivery state of an Outbox row."""
    _require_twilio_signature()
    outbox_id = request.args.get("outbox", type=row_id)
    found = record_delivery(
        outbox_id,
        request.form.get("MessageSid"),
        request.form.get("MessageStatus", ""),
        request.form.get("ErrorCode"),
    )
    return ("", 204) if found else ("", 404)


@bp.route("/kannel/inbound", methods=["GET", "POST"])
@csrf.exempt  # authenticated by the shared secret and the source address
@cleans_its_input  # InboundMessage cleans every field
def kannel_inbound():
    """Kannel's sms-service get-url/post-url; the reply goes out through sendsms later, so the
    body is empty (configure the service with max-messages = 0)."""
    _require_kannel()
    raw = _raw_params()  # before the form is parsed, which consumes the body
    args = request.values
    text = kannel.decode_text(raw, args.get("charset"))
    if not args.get("from") or text is None:
        abort(400)
    message = kannel.inbound_message(args, text)
    receive_message(message, current_app.config["SMS_MAX_BODY"], reply_by_outbox=True)
    return "", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/kannel/dlr")
@csrf.exempt
def kannel_delivery_report():
    """Kannel's dlr-url: delivery state of an Outbox row sent through sendsms."""
    _require_kannel()
    state = kannel.DLR_STATES.get(request.args.get("status", type=int) or 0)
    found = state and record_delivery(
        request.args.get("outbox", type=row_id), None, state, request.args.get("status")
    )
    return ("", 204) if found else ("", 404)


def _require_kannel() -> None:
    """Off (404) unless configured; otherwise the secret from an allowed address (403)."""
    if not kannel.is_enabled(current_app.config):
        abort(404)
    if not kannel.is_trusted(current_app.config, request.args.get("secret"), request.remote_addr):
        abort(403)


def _raw_params() -> bytes:
    """The query or form bytes as sent: Kannel's text may be UTF-16BE, not UTF-8."""
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        return request.get_data(cache=True)
    return request.query_string


@bp.post("/android/inbound")
@csrf.exempt  # authenticated by the app's HMAC signature instead
@cleans_its_input  # InboundMessage cleans every field
def android_inbound():
    """SMS Gateway for Android's webhooks: `sms:received` becomes a message to intake (the
    reply goes out through the app's API later); `sms:sent`, `sms:delivered` and `sms:failed`
    are the delivery state of the Outbox row holding the app's message id. Other events are
    acknowledged and ignored. Register this URL in the app for each of those four events."""
    if not android.is_enabled(current_app.config):
        abort(404)
    body = request.get_data(cache=True)  # the bytes the app signed, before any parsing
    headers = request.headers
    if not android.is_signed(
        current_app.config, body, headers.get("X-Timestamp"), headers.get("X-Signature")
    ):
        abort(403)
    event = android.parse_event(body)
    if event is None or not isinstance(event.get("event"), str):
        abort(400)
    if event["event"] == "sms:received":
        message = android.inbound_message(event)
        if message is None:
            abort(400)
        receive_message(message, current_app.config["SMS_MAX_BODY"], reply_by_outbox=True)
    elif (report := android.delivery_report(event)) is not None:
        state, message_id, reason = report
        # Unknown id: 404, and the app retries (its sms:sent can overtake our recording the id).
        if not (message_id and record_delivery(None, message_id, state, reason)):
            return {}, 404
    return {}, 200
