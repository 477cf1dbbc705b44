"""Issue messages in the marketplace's language, as Amazon writes them.

Amazon localises ``issues[].message`` (and nothing else: codes, categories, attribute names and
enforcements stay the same) to the ``issueLocale`` of the request, or to the language of the
marketplace when none is given (Listings Items API reference, ``issueLocale``:
https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference). A
client that reads meaning from the English text breaks on a German, French or Japanese seller's
account; the sandbox writes these so that it does.

Keys are the English templates of ``rules.ISSUES``; ``{name}`` and ``{detail}`` are filled in
after translation. A language without a translation gets English, as Amazon does for locales it
does not support.
"""

from __future__ import annotations

ENGLISH = "en"

TRANSLATIONS: dict[str, dict[str, str]] = {
    "'{name}' is required but not supplied.": {
        "de": "'{name}' ist erforderlich, wurde aber nicht angegeben.",
        "fr": "'{name}' est obligatoire mais n’a pas été fourni.",
        "ja": "'{name}'は必須ですが、入力されていません。",
    },
    "The main image is missing. Add a main image ('{name}') to lift the suppression.": {
        "de": "Das Hauptbild fehlt. Fügen Sie ein Hauptbild ('{name}') hinzu, um die "
        "Unterdrückung aufzuheben.",
        "fr": "L’image principale est manquante. Ajoutez une image principale ('{name}') pour "
        "lever la suppression.",
        "ja": "メイン画像がありません。非表示を解除するには、メイン画像（'{name}'）を追加してください。",
    },
    "The provided value for '{name}' is invalid.": {
        "de": "Der angegebene Wert für '{name}' ist ungültig.",
        "fr": "La valeur fournie pour '{name}' n’est pas valide.",
        "ja": "'{name}'に指定された値は無効です。",
    },
    "The attributes are invalid. {detail}.": {
        "de": "Die Attribute sind ungültig. {detail}.",
        "fr": "Les attributs ne sont pas valides. {detail}.",
        "ja": "属性が無効です。{detail}。",
    },
    (
        "We believe the main image has text, logo, graphic, or watermark that is not permitted "
        "for this product type. Submit a compliant image to lift the suppression. Also refer "
        "to Product image requirements."
    ): {
        "de": "Wir gehen davon aus, dass das Hauptbild Text, ein Logo, eine Grafik oder ein "
        "Wasserzeichen enthält, die für diesen Produkttyp nicht zulässig sind. Reichen Sie ein "
        "konformes Bild ein, um die Unterdrückung aufzuheben. Beachten Sie auch die "
        "Anforderungen an Produktbilder.",
        "fr": "Nous pensons que l’image principale contient du texte, un logo, un graphique ou "
        "un filigrane non autorisé pour ce type de produit. Soumettez une image conforme pour "
        "lever la suppression. Consultez également les exigences relatives aux images des "
        "produits.",
        "ja": "メイン画像に、この商品タイプでは許可されていないテキスト、ロゴ、グラフィック、"
        "または透かしが含まれていると判断されました。非表示を解除するには、要件を満たした画像を"
        "送信してください。商品画像の要件も参照してください。",
    },
    (
        "The 'minimum price' is greater than the selling price (excluding shipping) for the "
        "listing. Review and update your price and/or minimum price."
    ): {
        "de": "Der „Mindestpreis“ ist höher als der Verkaufspreis (ohne Versand) des Angebots. "
        "Überprüfen und aktualisieren Sie Ihren Preis und/oder Ihren Mindestpreis.",
        "fr": "Le « prix minimum » est supérieur au prix de vente (hors frais de livraison) de "
        "l’offre. Vérifiez et mettez à jour votre prix et/ou votre prix minimum.",
        "ja": "「最低価格」が出品の販売価格（配送料を除く）を上回っています。価格または最低価格を"
        "確認して更新してください。",
    },
    (
        "The selling price (excluding shipping) is greater than the 'maximum price' for the "
        "listing. Review and update your price and/or maximum price."
    ): {
        "de": "Der Verkaufspreis (ohne Versand) ist höher als der „Höchstpreis“ des Angebots. "
        "Überprüfen und aktualisieren Sie Ihren Preis und/oder Ihren Höchstpreis.",
        "fr": "Le prix de vente (hors frais de livraison) est supérieur au « prix maximum » de "
        "l’offre. Vérifiez et mettez à jour votre prix et/ou votre prix maximum.",
        "ja": "出品の販売価格（配送料を除く）が「最高価格」を上回っています。価格または最高価格を"
        "確認して更新してください。",
    },
    "Restricted Products Policy Violation": {
        "de": "Verstoß gegen die Richtlinie für eingeschränkte Produkte",
        "fr": "Violation de la politique relative aux produits soumis à des restrictions",
        "ja": "制限対象商品ポリシー違反",
    },
    "Product Detail Page Rules Violation (Inaccurate information on product detail page).": {
        "de": "Verstoß gegen die Regeln für Produktdetailseiten (ungenaue Informationen auf "
        "der Produktdetailseite).",
        "fr": "Violation des règles relatives aux pages détaillées des produits (informations "
        "inexactes sur la page détaillée du produit).",
        "ja": "商品詳細ページのルール違反（商品詳細ページの情報が不正確です）。",
    },
    (
        "Compliance documentation required: the product safety documents for this product "
        "(for example GPSR) have not been provided. Upload them in Seller Central."
    ): {
        "de": "Compliance-Dokumente erforderlich: Die Produktsicherheitsunterlagen für dieses "
        "Produkt (zum Beispiel GPSR) wurden nicht bereitgestellt. Laden Sie sie in Seller "
        "Central hoch.",
        "fr": "Documents de conformité requis : les documents de sécurité de ce produit (par "
        "exemple GPSR) n’ont pas été fournis. Téléchargez-les dans Seller Central.",
        "ja": "コンプライアンス書類が必要です：この商品の製品安全に関する書類（GPSRなど）が"
        "提出されていません。セラーセントラルでアップロードしてください。",
    },
    (
        "This ASIN has been removed from the Amazon catalog in this store and offers on it "
        "are not buyable. Contact Selling Partner Support or list against the correct ASIN."
    ): {
        "de": "Diese ASIN wurde in diesem Shop aus dem Amazon-Katalog entfernt, und Angebote "
        "dafür sind nicht kaufbar. Wenden Sie sich an den Verkaufspartner-Support oder stellen "
        "Sie das Angebot unter der richtigen ASIN ein.",
        "fr": "Cet ASIN a été retiré du catalogue Amazon dans cette boutique et les offres "
        "associées ne peuvent pas être achetées. Contactez le Support Partenaires de vente ou "
        "mettez votre offre en vente sur l’ASIN correct.",
        "ja": "このASINはこのストアのAmazonカタログから削除されたため、このASINの出品は購入"
        "できません。出品パートナーサポートに連絡するか、正しいASINで出品してください。",
    },
    (
        "SKU not in catalog or deleted. If you deleted this SKU, wait 24 hours before you "
        "resubmit it; otherwise resubmit it with all required attributes."
    ): {
        "de": "SKU nicht im Katalog oder gelöscht. Wenn Sie diese SKU gelöscht haben, warten "
        "Sie 24 Stunden, bevor Sie sie erneut einreichen; andernfalls reichen Sie sie mit allen "
        "erforderlichen Attributen erneut ein.",
        "fr": "SKU absent du catalogue ou supprimé. Si vous avez supprimé ce SKU, attendez "
        "24 heures avant de le soumettre à nouveau ; sinon, soumettez-le à nouveau avec tous "
        "les attributs obligatoires.",
        "ja": "SKUがカタログにないか、削除されています。このSKUを削除した場合は、24時間待って"
        "から再送信してください。それ以外の場合は、必須属性をすべて入力して再送信してください。",
    },
    "The product type of the request does not match the product type of the listing: {detail}.": {
        "de": "Der Produkttyp der Anfrage stimmt nicht mit dem Produkttyp des Angebots überein: "
        "{detail}.",
        "fr": "Le type de produit de la demande ne correspond pas au type de produit de "
        "l’offre : {detail}.",
        "ja": "リクエストの商品タイプが出品の商品タイプと一致しません：{detail}。",
    },
    (
        "'{name}' is recommended for this product type but not supplied. Complete product "
        "information helps customers find and buy your product."
    ): {
        "de": "'{name}' wird für diesen Produkttyp empfohlen, wurde aber nicht angegeben. "
        "Vollständige Produktinformationen helfen Kunden, Ihr Produkt zu finden und zu kaufen.",
        "fr": "'{name}' est recommandé pour ce type de produit mais n’a pas été fourni. Des "
        "informations produit complètes aident les clients à trouver et à acheter votre produit.",
        "ja": "'{name}'はこの商品タイプで推奨されていますが、入力されていません。商品情報を"
        "充実させると、お客様が商品を見つけて購入しやすくなります。",
    },
}


def language_of(locale: str | None) -> str:
    """ "de_DE" → "de"; None or "" → English."""
    return (locale or ENGLISH).replace("-", "_").split("_")[0].lower() or ENGLISH


def localised(template: str, language: str) -> str:
    """The template in ``language`` (English when there is no translation)."""
    if language == ENGLISH:
        return template
    return TRANSLATIONS.get(template, {}).get(language, template)
