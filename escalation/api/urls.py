from rest_framework.routers import SimpleRouter

from .views import EscalationViewSet

router = SimpleRouter()
router.register("escalations", EscalationViewSet, basename="escalation")

urlpatterns = router.urls
