from django.urls import path

from vigie.posts import views

app_name = "posts"

urlpatterns = [
    path("quartiers/<int:community_id>/publier/", views.write, name="write"),
    path("publications/<int:post_id>/", views.post, name="post"),
    path("publications/<int:post_id>/modifier/", views.edit, name="edit"),
    path("publications/<int:post_id>/supprimer/", views.delete, name="delete"),
    path("publications/<int:post_id>/images/<int:image_id>", views.image, name="image"),
    path("commentaires/<int:comment_id>/supprimer/", views.delete_comment, name="delete_comment"),
]
