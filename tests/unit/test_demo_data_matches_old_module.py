"""Throwaway: the data files say exactly what shop/demo_content.py said (removed with it)."""

from shop import demo_content as old
from shop.demo_data import DATA_DIR, load_demo_data


def same(new, before, where: str) -> None:
    assert type(new) is type(before), where
    if isinstance(new, dict):
        assert list(new) == list(before), where
        for key in new:
            same(new[key], before[key], f"{where}.{key}")
    elif isinstance(new, list | tuple):
        assert len(new) == len(before), where
        for number, (a, b) in enumerate(zip(new, before, strict=True)):
            same(a, b, f"{where}[{number}]")
    else:
        assert new == before, where


def test_the_loaded_data_equals_the_old_modules_objects():
    data = load_demo_data()
    same(list(data.categories), old.CATEGORIES, "categories")
    same(list(data.products), old.PRODUCTS, "products")
    same(list(data.articles), old.ARTICLES, "articles")


def test_each_markdown_file_is_the_old_text_byte_for_byte_and_a_newline():
    for folder, items, field in [
        ("products", old.PRODUCTS, "description_md"),
        ("articles", old.ARTICLES, "body_md"),
    ]:
        for item in items:
            for language in ("en", "nl"):
                path = DATA_DIR / folder / f"{item['slug']}.{language}.md"
                assert path.read_bytes() == item[field][language].encode() + b"\n", path
