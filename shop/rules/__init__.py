"""Pure business rules: no Flask or SQLAlchemy; time and dates are passed in."""
