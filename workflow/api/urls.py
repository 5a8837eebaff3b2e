from rest_framework.routers import SimpleRouter

from .explanations import ExplanationViewSet
from .indices import IndexResultViewSet
from .reorganisation import ReorganisationViewSet
from .targets import IndicatorViewSet, MeasurementViewSet
from .views import (
    AssignmentViewSet,
    DirectiveItemViewSet,
    DirectiveViewSet,
    ExtensionViewSet,
)

router = SimpleRouter()
router.register("directives", DirectiveViewSet, basename="directive")
router.register("items", DirectiveItemViewSet, basename="item")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("extensions", ExtensionViewSet, basename="extension")
router.register("reorganisation", ReorganisationViewSet, basename="reorganisation")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("measurements", MeasurementViewSet, basename="measurement")
router.register("index-results", IndexResultViewSet, basename="index-result")
router.register("explanations", ExplanationViewSet, basename="explanation")

urlpatterns = router.urls
