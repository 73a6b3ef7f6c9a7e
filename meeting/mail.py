"""Sending e-mail over SMTP (`MAIL_*` settings). Without `MAIL_SERVER`, nothing is sent."""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from flask_babel import get_locale

log = logging.getLogger(__name__)


def mail_enabled():
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to, subject, body):
    """Send a plain-text French mail; return True when the SMTP server accepted it."""
    config = current_app.config
    if not mail_enabled():
        return False
    message = EmailMessage()
    message["From"] = formataddr(("Vendredi", config["MAIL_DEFAULT_SENDER"]))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="vendredi")
    message["Content-Language"] = str(get_locale() or "fr")
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        with smtp_class(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return True
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s not sent", to)
        return False
