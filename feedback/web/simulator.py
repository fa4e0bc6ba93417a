"""/dev/sms: a phone on screen for demos. It posts a signed webhook through the very code
path Twilio uses, so what works here works with real SMS. Registered only with the console
backend: with real Twilio it does not exist (404)."""

import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: new in WTForms 3.3
    FloatField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from feedback.domain.phone import normalise_phone
from feedback.services.simulator import conversation
from feedback.sms.signature import sign, signed_url, webhook_token

bp = Blueprint("simulator", __name__, url_prefix="/dev")

DEMO_PHONES = ["+9647801234567", "+9647701234567", "+9647501234567"]
EXAMPLES = [
    "ماكو ماي بحي الحسين من ثلاث ايام",
    "الوطنية مطفية بالعشار من الصبح",
    "مجاري طافحة بالجمهورية قرب المدرسة",
    "Power cut in Al-Ashar since this morning",
    "مساعدة",
]


class SimulatedSmsForm(FlaskForm):
    phone = StringField(validators=[DataRequired(), Length(max=20)])
    channel = SelectField(
        choices=[SelectChoice("sms", "SMS"), SelectChoice("whatsapp", "WhatsApp")]
    )
    body = TextAreaField(validators=[Length(max=4000)])
    lat = FloatField(validators=[Optional(), NumberRange(-90, 90)])
    lon = FloatField(validators=[Optional(), NumberRange(-180, 180)])


@bp.route("/sms", methods=["GET", "POST"])
def phone():
    form = SimulatedSmsForm(phone=request.args.get("phone", DEMO_PHONES[0]))
    if form.validate_on_submit():
        sender = normalise_phone(form.phone.data) or form.phone.data
        _post_signed_webhook(sender, form)
        return redirect(url_for("simulator.phone", phone=sender))
    sender = normalise_phone(form.phone.data or "") or DEMO_PHONES[0]
    return render_template(
        "simulator/sms.html",
        form=form,
        phones=DEMO_PHONES,
        examples=EXAMPLES,
        history=conversation(sender),
    )


def _post_signed_webhook(sender: str, form: SimulatedSmsForm) -> None:
    """Send the message to /sms/inbound exactly as Twilio would: form fields plus signature."""
    whatsapp = form.channel.data == "whatsapp"
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": current_app.config.get("TWILIO_ACCOUNT_SID") or "AC" + "0" * 32,
        "From": f"whatsapp:{sender}" if whatsapp else sender,
        "To": ("whatsapp:" if whatsapp else "") + current_app.config["SMS_PUBLIC_NUMBER"],
        "Body": form.body.data or "",
        "NumMedia": "0",
    }
    if whatsapp and form.lat.data is not None and form.lon.data is not None:
        params |= {"Latitude": str(form.lat.data), "Longitude": str(form.lon.data)}
    path = url_for("sms.inbound")
    url = signed_url(
        current_app.config["PUBLIC_BASE_URL"], request.host_url.rstrip("/") + path, path
    )
    token = webhook_token(current_app.config)
    assert token is not None  # the simulator is served only where it can sign
    signature = sign(token, url, params)
    with current_app.test_client() as client:
        response = client.post(
            path, data=params, headers={"X-Twilio-Signature": signature}, base_url=request.host_url
        )
    if response.status_code != 200:
        abort(502)
