from rest_framework.routers import SimpleRouter

from .views import FindingViewSet, InspectionViewSet, PlanViewSet, RecommendationViewSet

router = SimpleRouter()
router.register("inspection-plans", PlanViewSet, basename="inspection-plan")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("findings", FindingViewSet, basename="finding")
router.register("recommendations", RecommendationViewSet, basename="recommendation")

urlpatterns = router.urls
