from rest_framework.routers import SimpleRouter

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

urlpatterns = router.urls
