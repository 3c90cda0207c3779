"""Hand-written marketplace payloads shaped like the published API examples (Shopify Admin REST order,
SP-API Orders v0 getOrders/getOrderItems, Walmart Orders v3). Functions, so each test gets a fresh copy."""

from __future__ import annotations

from typing import Any


def shopify_order() -> dict[str, Any]:
    return {
        "id": 450789469,
        "admin_graphql_api_id": "gid://shopify/Order/450789469",
        "name": "#1001",
        "order_number": 1001,
        "email": "bob.norman@mail.example.com",
        "phone": "+557734881234",
        "created_at": "2008-01-10T11:00:00-05:00",
        "updated_at": "2008-01-10T11:05:00-05:00",
        "currency": "USD",
        "financial_status": "paid",
        "cancelled_at": None,
        "note": "Leave at the back door",
        "subtotal_price": "597.00",
        "total_discounts": "10.00",
        "total_tax": "11.94",
        "total_price": "598.94",
        "discount_codes": [{"code": "TENOFF", "amount": "10.00", "type": "fixed_amount"}],
        "customer": {
            "id": 207119551,
            "email": "bob.norman@mail.example.com",
            "first_name": "Bob",
            "last_name": "Norman",
        },
        "shipping_address": {
            "first_name": "Bob",
            "last_name": "Norman",
            "address1": "Chestnut Street 92",
            "address2": "Apt 2",
            "city": "Louisville",
            "province": "Kentucky",
            "province_code": "KY",
            "zip": "40202",
            "country": "United States",
            "country_code": "US",
            "phone": "+1(502)-459-2181",
            "name": "Bob Norman",
        },
        "billing_address": {
            "first_name": "Bob",
            "last_name": "Norman",
            "address1": "Chestnut Street 92",
            "city": "Louisville",
            "province_code": "KY",
            "zip": "40202",
            "country_code": "US",
        },
        "line_items": [
            {
                "id": 466157049,
                "variant_id": 39072856,
                "product_id": 632910392,
                "title": "IPod Nano - 8gb",
                "sku": "IPOD2008GREEN",
                "quantity": 1,
                "price": "199.00",
                "total_discount": "0.00",
                "discount_allocations": [{"amount": "3.34", "discount_application_index": 0}],
                "tax_lines": [{"title": "State Tax", "price": "3.98", "rate": 0.02}],
            },
            {
                "id": 518995019,
                "variant_id": 49148385,
                "title": "IPod Nano - 8gb",
                "sku": "IPOD2008RED",
                "quantity": 2,
                "price": "199.00",
                "total_discount": "0.00",
                "discount_allocations": [{"amount": "6.66", "discount_application_index": 0}],
                "tax_lines": [{"title": "State Tax", "price": "7.96", "rate": 0.02}],
            },
        ],
        "shipping_lines": [
            {
                "id": 369256396,
                "title": "Free Shipping",
                "code": "Free Shipping",
                "price": "0.00",
                "source": "shopify",
                "tax_lines": [],
            }
        ],
    }


def amazon_order() -> dict[str, Any]:
    return {
        "AmazonOrderId": "902-3159896-1390916",
        "SellerOrderId": "S-1001",
        "PurchaseDate": "2017-01-20T19:49:35Z",
        "LastUpdateDate": "2017-01-20T19:49:35Z",
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Std US D2D Dom",
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "MarketplaceId": "ATVPDKIKX0DER",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "52.97"},
        "NumberOfItemsShipped": 0,
        "NumberOfItemsUnshipped": 3,
        "EarliestShipDate": "2017-01-20T08:00:00Z",
        "LatestShipDate": "2017-01-25T07:59:59Z",
        "LatestDeliveryDate": "2017-01-31T07:59:59Z",
        "IsPrime": False,
        "ShippingAddress": {
            "Name": "Jane Doe",
            "AddressLine1": "1 Main St",
            "City": "Seattle",
            "StateOrRegion": "WA",
            "PostalCode": "98101",
            "CountryCode": "US",
            "Phone": "+1 206-555-0100",
        },
        "BuyerInfo": {"BuyerEmail": "jane@marketplace.amazon.example", "BuyerName": "Jane Doe"},
    }


def amazon_items() -> list[dict[str, Any]]:
    return [
        {
            "ASIN": "B00551Q3CS",
            "OrderItemId": "05015851154158",
            "SellerSKU": "NABetaASINB00551Q3CS",
            "Title": "B00551Q3CS [Card Book]",
            "QuantityOrdered": 2,
            "QuantityShipped": 0,
            "ItemPrice": {"CurrencyCode": "USD", "Amount": "39.98"},
            "ShippingPrice": {"CurrencyCode": "USD", "Amount": "5.99"},
            "ItemTax": {"CurrencyCode": "USD", "Amount": "3.20"},
            "ShippingTax": {"CurrencyCode": "USD", "Amount": "0.48"},
            "ShippingDiscount": {"CurrencyCode": "USD", "Amount": "0.00"},
            "PromotionDiscount": {"CurrencyCode": "USD", "Amount": "2.00"},
            "PromotionIds": ["PROMO-1"],
        },
        {
            "ASIN": "B004575DZO",
            "OrderItemId": "63918803000870",
            "SellerSKU": "MUG-BLUE-11OZ",
            "Title": "Mug",
            "QuantityOrdered": 1,
            "ItemPrice": {"CurrencyCode": "USD", "Amount": "12.99"},
        },
    ]


def walmart_order() -> dict[str, Any]:
    return {
        "purchaseOrderId": "1796277083022",
        "customerOrderId": "5281956426648",
        "customerEmailId": "3A31739D8B0A45A1B23F7F8C81C8747F@relay.walmart.com",
        "orderDate": 1568466571000,
        "shippingInfo": {
            "phone": "3155598681",
            "estimatedDeliveryDate": 1569438000000,
            "estimatedShipDate": 1568700000000,
            "methodCode": "Value",
            "postalAddress": {
                "name": "Kathryn Cole",
                "address1": "3258BWarners rd",
                "address2": "Garage",
                "city": "Warners",
                "state": "NY",
                "postalCode": "13164",
                "country": "USA",
                "addressType": "RESIDENTIAL",
            },
        },
        "orderLines": {
            "orderLine": [
                {
                    "lineNumber": "4",
                    "item": {"productName": "Beba Bean Pee-pee Teepee Airplane - Blue - Laundry Bag", "sku": "test1"},
                    "charges": {
                        "charge": [
                            {
                                "chargeType": "PRODUCT",
                                "chargeName": "ItemPrice",
                                "chargeAmount": {"currency": "USD", "amount": 10},
                                "tax": {"taxName": "Tax1", "taxAmount": {"currency": "USD", "amount": 0.8}},
                            },
                            {
                                "chargeType": "SHIPPING",
                                "chargeName": "Shipping",
                                "chargeAmount": {"currency": "USD", "amount": 2.5},
                                "tax": {"taxName": "Tax2", "taxAmount": {"currency": "USD", "amount": 0.2}},
                            },
                        ]
                    },
                    "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
                    "statusDate": 1568466647000,
                    "orderLineStatuses": {
                        "orderLineStatus": [
                            {
                                "status": "Created",
                                "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
                            }
                        ]
                    },
                    "fulfillment": {"fulfillmentOption": "S2H", "shipMethod": "VALUE"},
                },
                {
                    "lineNumber": "5",
                    "item": {"productName": "Garden hose", "sku": "HOSE-50"},
                    "charges": {
                        "charge": [
                            {
                                "chargeType": "PRODUCT",
                                "chargeName": "ItemPrice",
                                "chargeAmount": {"currency": "USD", "amount": 29.98},
                                "tax": None,
                            }
                        ]
                    },
                    "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": "2"},
                    "orderLineStatuses": {"orderLineStatus": [{"status": "Acknowledged"}]},
                },
            ]
        },
    }
