"""Public web pages: home, the report form, public ticket pages, and the SMS simulator."""
