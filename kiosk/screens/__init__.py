"""The kiosk's screens, one module per thing the citizen sees."""

from kiosk.screens.base import KioskScreen, KioskView
from kiosk.screens.bundle import BundleScreen
from kiosk.screens.checkin import CheckInScreen
from kiosk.screens.department import DepartmentScreen
from kiosk.screens.guide import GuideScreen
from kiosk.screens.home import HomeScreen
from kiosk.screens.priority import PriorityScreen
from kiosk.screens.staff import PinScreen
from kiosk.screens.ticket import TicketScreen

__all__ = [
    "BundleScreen",
    "CheckInScreen",
    "DepartmentScreen",
    "GuideScreen",
    "HomeScreen",
    "KioskScreen",
    "KioskView",
    "PinScreen",
    "PriorityScreen",
    "TicketScreen",
]
