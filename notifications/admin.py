from django.contrib import admin

from .models import Digest, Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "category",
        "title",
        "urgent",
        "read_at",
        "emailed_at",
    ]
    list_filter = ["category", "urgent"]
    search_fields = ["title", "recipient__username", "key"]
    list_select_related = ["recipient"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["day", "recipient", "notice_count", "sent_at"]
    search_fields = ["recipient__username"]
    list_select_related = ["recipient"]
